"""The scan: expired lots set aside, expiring lots and reorders announced once each; and the
reorder review each stock change asks for once it has committed.

Safe with several replicas at once: an announcement is emitted only by the transaction that
inserts its alert, and the alert's unique key (subject and window) lets only one insert win.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from clinic_shared.contracts.events import LotExpiring, ReorderSuggested
from inventory.domain.alerts import expiry_key, reorder_key
from inventory.domain.forecast import surely_holds
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
    scope: Scope,
    today: date,
    settings: ForecastSettings,
    now: datetime,
    only: Collection[str] | None = None,
) -> int:
    """Emit inventory.reorder.suggested once per product (of those `only` names) until stock
    arrives or it is dismissed; a product already told of since its last delivery is not
    forecast again."""
    alerts, due = scope.alerts, {}
    for code in sorted(only if only is not None else await scope.products.codes()):
        key = reorder_key(code, await scope.scans.receipt_count(code))
        stale = [k for k in await alerts.open_keys(f"reorder:{code}:") if k != key]
        await alerts.resolve(stale, now)
        if not await alerts.exists(key):
            due[code] = key
    emitted = 0
    for outlook in await outlooks(scope, today, settings, only=set(due)) if due else []:
        key = due[outlook.product.code]
        if outlook.reorder is not None and await _raise_reorder(scope, outlook, key, now):
            emitted += 1
            # The alert proposes an order: the preferred supplier's draft gets what is needed.
            await propose_orders(
                scope, today, now, pace_days=settings.course_pace_days, only={code}
            )
    return emitted


def review_reorders_after_commit(scope: Scope, product_codes: set[str], now: datetime) -> None:
    """Once the scope's stock change commits, suggest the reorders it calls for, for these
    products, in a transaction of its own (a failure there is logged; the scan is the backstop).

    After the commit, so that the forecast counts this change and those committed meanwhile;
    replicas doing it at once announce once, as the scan does. It costs a booking a short
    transaction: one statement (`surely_holds`), and a forecast only when that cannot say."""
    if product_codes:
        codes = set(product_codes)
        scope.uow.after_commit(lambda: _review(scope.sibling(), codes, now))


async def _review(scope: Scope, product_codes: set[str], now: datetime) -> None:
    """Suggest the reorders these products need; one statement when none can (`surely_holds`)."""
    async with scope.uow:
        today, settings = now.astimezone(scope.zone).date(), scope.forecast_settings
        worst = await scope.forecast.worst_cases(product_codes, today)
        every = settings.course_pace_days
        unsure = {w.product_code for w in worst if not surely_holds(w, every_days=every)}
        if unsure:
            await suggest_reorders(scope, today, settings, now, only=unsure)
            await scope.uow.commit()


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
