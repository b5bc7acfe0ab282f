"""The scan: expired lots set aside, expiring lots and reorders announced once each; and the
reorder review each stock change asks for once it has committed.

Safe with several replicas at once: an announcement is emitted only by the transaction that
inserts its alert, and the alert's unique key (subject and window) lets only one insert win.
"""

from __future__ import annotations

import asyncio
import contextlib
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
    alerts, due, still_open = scope.alerts, {}, set()
    for code in sorted(only if only is not None else await scope.products.codes()):
        key = reorder_key(code, await scope.scans.receipt_count(code))
        open_keys = await alerts.open_keys(f"reorder:{code}:")
        await alerts.resolve([k for k in open_keys if k != key], now)
        if key in open_keys:
            still_open.add(code)
        elif not await alerts.exists(key):
            due[code] = key
    if still_open and only is None:
        # The scan proposes again for every open alert (what is on order is not ordered twice):
        # an alert raised on the product's own lead time, before the preferred supplier's lead
        # time and cover reached the need, owes its draft once they do. Reviews after a stock
        # change (`only`) propose only with a new alert, so staff's own proposals stay theirs.
        pace = settings.course_pace_days
        await propose_orders(scope, today, now, pace_days=pace, only=still_open)
    emitted = 0
    for outlook in await outlooks(scope, today, settings, only=set(due)) if due else []:
        key = due[outlook.product.code]
        if outlook.reorder is not None and await _raise_reorder(scope, outlook, key, now):
            emitted += 1
            # The alert proposes an order: the preferred supplier's draft gets what is needed.
            await propose_orders(
                scope, today, now, pace_days=settings.course_pace_days, only={outlook.product.code}
            )
    return emitted


class ReorderReviews:
    """The products whose stock changed since their last review, reviewed together by one
    background loop of the runtime (`run_reviews`), so that a burst of bookings costs a handful
    of reviews rather than one transaction each.

    A product is marked when its change is made (so `settled` cannot answer before the review
    of a change the caller has seen committed) and marked again, waking the loop, once the
    change has committed (so a review that began before the commit is followed by another).
    A change rolled back leaves a review that finds nothing to say.

    Two reviews begin at least `pause_seconds` apart: a change after a quiet spell is reviewed
    at once, and a steady stream of bookings a few times a second rather than once each (at 50
    bookings a second, one review each was a seventh of inventory's CPU, measured with py-spy
    on 2026-12-08)."""

    def __init__(self, pause_seconds: float = 0.0) -> None:
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._settled = asyncio.Event()
        self._settled.set()
        self._pause = pause_seconds
        self._last_began: float | None = None

    def expect(self, product_codes: Collection[str]) -> None:
        """A change to these products' stock is being made."""
        self._dirty |= set(product_codes)
        self._settled.clear()

    def mark(self, product_codes: Collection[str]) -> None:
        """A change to these products' stock has committed: review them soon."""
        self.expect(product_codes)
        self._wake.set()

    async def next_batch(self, stopping: asyncio.Event) -> set[str] | None:
        """The products to review now, once a committed change asks for it; None once the
        service is stopping and nothing is left."""
        while not self._wake.is_set() and not stopping.is_set():
            waits = [asyncio.ensure_future(e.wait()) for e in (self._wake, stopping)]
            _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for waiting in pending:
                waiting.cancel()
        await self._pause_after_last(stopping)
        self._wake.clear()
        batch, self._dirty = self._dirty, set()
        self._last_began = asyncio.get_running_loop().time()
        return batch or (None if stopping.is_set() else set())

    async def _pause_after_last(self, stopping: asyncio.Event) -> None:
        """Wait until `pause_seconds` after the last review began, or the service stops."""
        if self._last_began is None or stopping.is_set():
            return
        left = self._last_began + self._pause - asyncio.get_running_loop().time()
        if left > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(left):
                    await stopping.wait()

    def reviewed(self) -> None:
        """The batch `next_batch` gave is done (or failed: the scan is the backstop)."""
        if not self._dirty:
            self._settled.set()

    async def settled(self) -> None:
        """Wait until every change marked so far has been reviewed (for tests)."""
        await self._settled.wait()


def review_reorders_after_commit(scope: Scope, product_codes: set[str], now: datetime) -> None:
    """Once the scope's stock change commits, suggest the reorders it calls for, for these
    products (a failure there is logged; the scan is the backstop).

    After the commit, so that the forecast counts this change and those committed meanwhile;
    replicas doing it at once announce once, as the scan does. With the runtime's
    `ReorderReviews` (the consumer's scopes: bookings, completions) the review is left to its
    background loop, which reviews every product changed meanwhile in one transaction, so the
    alert follows the booking shortly rather than before it is acknowledged; without (a
    request's scope: deliveries, counts) it runs at once in a transaction of its own: one
    statement (`surely_holds`), and a forecast only when that cannot say."""
    if not product_codes:
        return
    codes = set(product_codes)
    reviews = scope.reviews
    if reviews is None:
        scope.uow.after_commit(lambda: _review_alone(scope.sibling(), codes, now))
        return
    reviews.expect(codes)

    async def mark() -> None:
        reviews.mark(codes)

    scope.uow.after_commit(mark)


async def _review_alone(scope: Scope, product_codes: set[str], now: datetime) -> None:
    async with scope.uow:
        await review_reorders(scope, product_codes, now)


async def review_reorders(scope: Scope, product_codes: set[str], now: datetime) -> None:
    """Suggest the reorders these products need and commit; one statement when none can
    (`surely_holds`)."""
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
