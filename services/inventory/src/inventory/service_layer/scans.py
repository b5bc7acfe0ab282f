"""The daily scan: expired lots set aside, expiring lots and reorders announced once each.

Safe with several replicas at once: an announcement is emitted only by the transaction that
inserts its alert, and the alert's unique key (subject and window) lets only one insert win.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from clinic_shared.contracts.events import LotExpiring, ReorderSuggested
from inventory.domain.alerts import expiry_key, reorder_key
from inventory.service_layer.forecasting import ProductOutlook, outlooks
from inventory.service_layer.ordering import alert_overdue_orders, propose_orders
from inventory.service_layer.scope import ForecastSettings, Scope


async def announce_expiring_lots(scope: Scope, today: date, within_days: int, now: datetime) -> int:
    """Emit inventory.lot.expiring once per lot whose free vials expire within the window."""
    alerts, emitted = scope.alerts, 0
    until = today + timedelta(days=within_days)
    for lot in await scope.scans.expiring_with_free_vials(today, until):
        key = expiry_key(lot.id, lot.expires_on - timedelta(days=within_days))
        message = f"{lot.free} unreserved vials of lot {lot.lot_number} expire on {lot.expires_on}."
        if await alerts.raise_once(
            "expiry", key, product_code=lot.product_code, message=message, now=now, lot_id=lot.id
        ):
            scope.uow.emit(
                LotExpiring(
                    lot_id=lot.id,
                    product_code=lot.product_code,
                    lot_number=lot.lot_number,
                    expires_on=lot.expires_on,
                    unreserved_quantity=lot.free,
                )
            )
            emitted += 1
    return emitted


async def suggest_reorders(
    scope: Scope, today: date, settings: ForecastSettings, now: datetime
) -> int:
    """Emit inventory.reorder.suggested once per product until stock arrives or it is dismissed."""
    emitted = 0
    for outlook in await outlooks(scope, today, settings):
        code = outlook.product.code
        key = reorder_key(code, await scope.scans.receipt_count(code))
        alerts = scope.alerts
        stale = [k for k in await alerts.open_keys(f"reorder:{code}:") if k != key]
        await alerts.resolve(stale, now)
        if outlook.reorder is not None and await _raise_reorder(scope, outlook, key, now):
            emitted += 1
            # The alert proposes an order: the preferred supplier's draft gets what is needed.
            await propose_orders(
                scope, today, now, pace_days=settings.course_pace_days, only={code}
            )
    return emitted


async def _raise_reorder(scope: Scope, outlook: ProductOutlook, key: str, now: datetime) -> bool:
    suggestion = outlook.reorder
    assert suggestion is not None
    code = outlook.product.code
    message = f"Reorder {suggestion.quantity} {code}: {suggestion.reason}"
    if not await scope.alerts.raise_once(
        "reorder", key, product_code=code, message=message, now=now
    ):
        return False
    scope.uow.emit(
        ReorderSuggested(
            product_code=code,
            quantity=suggestion.quantity,
            projected_stockout_on=suggestion.projected_stockout_on,
            reason=suggestion.reason,
        )
    )
    return True


async def scan_stock(scope: Scope, today: date, settings: ForecastSettings, now: datetime) -> None:
    """One pass of the daily scan, in the caller's unit of work."""
    await scope.scans.mark_expired(today)
    await announce_expiring_lots(scope, today, settings.expiry_warning_days, now)
    await suggest_reorders(scope, today, settings, now)
    await alert_overdue_orders(scope, today, now)
