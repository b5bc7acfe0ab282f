"""A completed session: its reservation becomes the record of which lots went into the patient."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from clinic_shared.contracts.events import ProductUsed, SessionCompleted
from clinic_shared.db import utcnow
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.consumption_repository import ConsumptionRepository
from inventory.adapters.lot_repository import LotRepository
from inventory.adapters.session_repository import SessionRepository
from inventory.adapters.stock_repository import StockRepository
from inventory.domain.adjustments import reserved_allowed
from inventory.domain.lots import Lot
from inventory.domain.sessions import BookedSession, Reservation
from inventory.service_layer.alerting import sync_shortage_alerts
from inventory.service_layer.displacement import displace, refill
from inventory.service_layer.reserving import fill_shortages, release
from inventory.service_layer.session_events import known_session, occurred_at

log = logging.getLogger(__name__)


async def consume_for_completed_session(
    event: SessionCompleted, uow: UnitOfWork, zone: ZoneInfo
) -> None:
    """Record the lots used; when the practitioner named lots, those, and release the rest."""
    booked, known = await known_session(uow, event, zone, "completed")
    if known and not booked.holds_stock:
        return
    repo = SessionRepository(uow.session)
    if known:
        await repo.set_status(booked.session_id, "completed", occurred_at(uow))
        await repo.clear_shortages(booked.session_id)
        await sync_shortage_alerts(uow, booked, {}, utcnow())
    held = await repo.reservations(booked.session_id)
    now = utcnow()
    if event.products_used:
        freed = await release(uow, held)
        for used in event.products_used:
            await _consume_named_lot(uow, booked, used, now)
    else:
        freed = set()
        await _consume_reserved(uow, booked, held, now)
    await fill_shortages(uow, freed, now)


async def _consume_reserved(
    uow: UnitOfWork, booked: BookedSession, held: list[Reservation], now: datetime
) -> None:
    stock, repo = StockRepository(uow.session), SessionRepository(uow.session)
    records, lots = ConsumptionRepository(uow.session), LotRepository(uow.session)
    for reservation in held:
        if not await repo.mark(reservation.id, "consumed"):
            continue
        await stock.reserved_to_consumed(reservation.lot_id, reservation.quantity)
        lot = await lots.get(reservation.lot_id)
        assert lot is not None
        await records.add(
            booked,
            product_code=reservation.product_code,
            lot_id=lot.id,
            lot_number=lot.lot_number,
            quantity=reservation.quantity,
            at=now,
        )


async def _count_against(uow: UnitOfWork, lot: Lot, quantity: int, now: datetime) -> None:
    """Vials taken from a lot others had reserved: the latest of them give way, look elsewhere."""
    moved = []
    if lot.available < quantity:
        moved = await displace(uow, lot.id, reserved_allowed(lot.quantity - quantity, lot.consumed))
    counted = await StockRepository(uow.session).consume_what_is_free(lot.id, quantity)
    if counted < quantity:
        log.warning("lot used beyond its recorded stock; count it", extra={"lot_id": str(lot.id)})
    await refill(uow, moved, now)


async def _consume_named_lot(
    uow: UnitOfWork, booked: BookedSession, used: ProductUsed, now: datetime
) -> None:
    """Count the vials against the lot named; the record is kept even when the counts disagree."""
    lot = await LotRepository(uow.session).by_number(used.product_code, used.lot_number)
    if lot is None:
        log.warning(
            "completed session used a lot never received", extra={"product": used.product_code}
        )
    else:
        await _count_against(uow, lot, used.quantity, now)
    await ConsumptionRepository(uow.session).add(
        booked,
        product_code=used.product_code,
        lot_id=lot.id if lot else None,
        lot_number=used.lot_number,
        quantity=used.quantity,
        at=now,
    )
