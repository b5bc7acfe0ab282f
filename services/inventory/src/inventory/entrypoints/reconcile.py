"""Inventory's reconciliation with scheduling, wired: scheduling's session list read with a
token inventory mints, compared and repaired by `service_layer.reconcile`."""

from __future__ import annotations

from clinic_shared.reconcile import DriftReport, OwnerSessions, Reconciler
from clinic_shared.runtime import ServiceRuntime
from inventory.service_layer.reconcile import reconcile_sessions
from inventory.settings import InventorySettings

PAGE_SIZE = 200


def reconciler(runtime: ServiceRuntime) -> Reconciler:
    settings = runtime.settings
    assert isinstance(settings, InventorySettings)
    owner = OwnerSessions(
        settings.scheduling_url,
        secret=settings.jwt_secret.get_secret_value(),
        issuer=settings.jwt_issuer,
        caller=settings.service_name,
        timeout=settings.peer_timeout_seconds,
        page_size=PAGE_SIZE,
    )

    async def reconcile(report: DriftReport) -> None:
        await reconcile_sessions(runtime, owner, report)

    return reconcile


def interval(runtime: ServiceRuntime) -> tuple[float, float]:
    settings = runtime.settings
    assert isinstance(settings, InventorySettings)
    return settings.reconcile_first_after_seconds, settings.reconcile_interval_seconds
