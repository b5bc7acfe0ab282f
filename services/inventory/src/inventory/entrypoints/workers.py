"""Background loops inventory runs beside its API."""

from __future__ import annotations

import logging

from clinic_shared.reconcile import reconcile_worker
from clinic_shared.runtime import ServiceRuntime, Worker
from inventory.entrypoints.reconcile import interval, reconciler
from inventory.service_layer.scans import scan_stock
from inventory.service_layer.scope import open_scope
from inventory.settings import InventorySettings

log = logging.getLogger(__name__)


def build_workers(settings: InventorySettings) -> list[Worker]:
    """Every background loop of inventory: the expiry and reorder scan, and the
    reconciliation of its sessions with scheduling."""

    async def stock_scan_loop(runtime: ServiceRuntime) -> None:
        """Scan shortly after start, then every `scan_interval_seconds`, surviving a failed
        pass; return as soon as the service is stopping."""
        if not await runtime.idle(settings.scan_first_after_seconds):
            return
        while True:
            try:
                await scan_once(runtime)
            except Exception:
                log.exception("stock scan failed; next pass at the usual time")
            if not await runtime.idle(settings.scan_interval_seconds):
                return

    return [stock_scan_loop, reconcile_worker(reconciler, interval=interval)]


async def scan_once(runtime: ServiceRuntime) -> None:
    """Run the expiry and reorder scan once and commit what it announced."""
    now = runtime.clock()
    async with open_scope(runtime) as scope:
        await scan_stock(scope, now.astimezone(scope.zone).date(), scope.forecast_settings, now)
        await scope.uow.commit()
