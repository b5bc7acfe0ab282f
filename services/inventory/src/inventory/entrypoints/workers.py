"""Background loops inventory runs beside its API."""

from __future__ import annotations

import logging

from clinic_shared.runtime import ServiceRuntime
from inventory.service_layer.forecasting import ForecastSettings
from inventory.service_layer.scans import scan_stock
from inventory.settings import InventorySettings

log = logging.getLogger(__name__)


def forecast_settings(settings: InventorySettings) -> ForecastSettings:
    return ForecastSettings(
        days=settings.forecast_days,
        expiry_warning_days=settings.expiry_warning_days,
        course_pace_days=settings.course_pace_days,
    )


async def scan_once(runtime: ServiceRuntime) -> None:
    """Run the expiry and reorder scan once and commit what it announced."""
    settings = runtime.settings
    assert isinstance(settings, InventorySettings)
    now = runtime.clock()
    async with runtime.uow() as uow:
        await scan_stock(
            uow, now.astimezone(settings.zone).date(), forecast_settings(settings), now
        )
        await uow.commit()


async def stock_scan_loop(runtime: ServiceRuntime) -> None:
    """Scan shortly after start, then every `scan_interval_seconds`, surviving a failed pass;
    return as soon as the service is stopping."""
    settings = runtime.settings
    assert isinstance(settings, InventorySettings)
    if not await runtime.idle(settings.scan_first_after_seconds):
        return
    while True:
        try:
            await scan_once(runtime)
        except Exception:
            log.exception("stock scan failed; next pass at the usual time")
        if not await runtime.idle(settings.scan_interval_seconds):
            return
