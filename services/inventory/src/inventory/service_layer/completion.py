"""A completed session: its reservation becomes the record of which lots went into the patient."""

from __future__ import annotations

import logging
from datetime import datetime

from clinic_shared.contracts.events import ProductUsed, SessionCompleted
from clinic_shared.db import utcnow
from inventory.domain.adjustments import reserved_allowed
from inventory.domain.lots import Lot
from inventory.domain.sessions import BookedSession, Reservation
from inventory.service_layer.alerting import alert_recalled_lot_used, sync_shortage_alerts
from inventory.service_layer.displacement import displace, refill
from inventory.service_layer.reserving import fill_shortages, release
from inventory.service_layer.scans import review_reorders_after_commit
from inventory.service_layer.scope import Scope
from inventory.service_layer.session_events import known_session

log = logging.getLogger(__name__)


async def consume_for_completed_session(event: SessionCompleted, scope: Scope) -> None:
    """Record the lots used; when the practitioner named lots, those, and release the rest."""
    booked, known = await known_session(scope, event, "completed")
    if known and not booked.holds_stock:
        return
    repo = scope.sessions
    if known:
        await repo.set_status(booked.session_id, "completed", scope.uow.occurred_at)
        await repo.clear_shortages(booked.session_id)
        await sync_shortage_alerts(scope, booked, {}, utcnow())
    held = await repo.reservations(booked.session_id)
    now = utcnow()
    freed: set[str] = set()
    if event.products_used:
        for used in event.products_used:
            await _consume_named(scope, booked, held, used, now)
        freed = await release(scope, held)
    else:
        for reservation in held:
            await _consume_reservation(scope, booked, reservation, reservation.quantity, now)
    await fill_shortages(scope, freed, now)
    products = {r.product_code for r in held} | {u.product_code for u in event.products_used}
    review_reorders_after_commit(scope, products, now)


async def _consume_named(
    scope: Scope,
    booked: BookedSession,
    held: list[Reservation],
    used: ProductUsed,
    now: datetime,
) -> None:
    """One line the practitioner named: from the session's reservations first, then the lot."""
    lot = await scope.lots.by_number(used.product_code, used.lot_number)
    if lot is not None and lot.status == "recalled":
        await alert_recalled_lot_used(scope, booked, lot, now)
    left = await _consume_from_reservations(scope, booked, held, lot, used.quantity, now)
    if left:
        await _consume_named_lot(
            scope, booked, used.model_copy(update={"quantity": left}), lot, now
        )


async def _consume_from_reservations(
    scope: Scope,
    booked: BookedSession,
    held: list[Reservation],
    lot: Lot | None,
    quantity: int,
    now: datetime,
) -> int:
    """Take the vials used from the session's own reservations on the lot named (removing them
    from `held`); return how many were used beyond them."""
    left = quantity
    for reservation in [r for r in held if lot is not None and r.lot_id == lot.id]:
        taken = min(left, reservation.quantity)
        if taken == 0:
            break
        await _consume_reservation(scope, booked, reservation, taken, now)
        held.remove(reservation)
        left -= taken
    return left


async def _consume_reservation(
    scope: Scope, booked: BookedSession, reservation: Reservation, quantity: int, now: datetime
) -> None:
    """The reservation becomes the record of `quantity` vials used; any rest goes back."""
    stock, repo = scope.stock, scope.sessions
    if not await repo.mark(reservation.id, "consumed", quantity=quantity):
        return
    await stock.reserved_to_consumed(reservation.lot_id, quantity)
    if quantity < reservation.quantity:
        await stock.release(reservation.lot_id, reservation.quantity - quantity)
    lot = await scope.lots.get(reservation.lot_id)
    assert lot is not None
    await scope.consumptions.add(
        booked,
        product_code=reservation.product_code,
        lot_id=lot.id,
        lot_number=lot.lot_number,
        quantity=quantity,
        at=now,
    )


async def _count_against(scope: Scope, lot: Lot, quantity: int, now: datetime) -> None:
    """Vials taken from a lot others had reserved: the latest of them give way, look elsewhere."""
    moved = []
    if lot.available < quantity:
        moved = await displace(
            scope, lot.id, reserved_allowed(lot.quantity - quantity, lot.consumed)
        )
    counted = await scope.stock.consume_what_is_free(lot.id, quantity)
    if counted < quantity:
        log.warning("lot used beyond its recorded stock; count it", extra={"lot_id": str(lot.id)})
    await refill(scope, moved, now)


async def _consume_named_lot(
    scope: Scope, booked: BookedSession, used: ProductUsed, named: Lot | None, now: datetime
) -> None:
    """Count the vials against the lot named; the record is kept even when the counts disagree."""
    lot = await scope.lots.get(named.id) if named else None  # counts as they are
    if lot is None:
        log.warning(
            "completed session used a lot never received", extra={"product": used.product_code}
        )
    else:
        await _count_against(scope, lot, used.quantity, now)
    await scope.consumptions.add(
        booked,
        product_code=used.product_code,
        lot_id=lot.id if lot else None,
        lot_number=lot.lot_number if lot else used.lot_number,
        quantity=used.quantity,
        at=now,
    )
