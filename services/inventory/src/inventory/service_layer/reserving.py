"""Holding vials for booked sessions, FEFO, and telling scheduling whether the kit is complete."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from clinic_shared.contracts.events import ShortLine, StockReserved, StockShortage
from clinic_shared.db import utcnow
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.catalogue_repository import KitRepository
from inventory.adapters.session_repository import SessionRepository
from inventory.adapters.stock_repository import StockRepository
from inventory.domain.catalogue import KitLine
from inventory.domain.sessions import BookedSession, Reservation, still_needed
from inventory.service_layer.alerting import sync_shortage_alerts

log = logging.getLogger(__name__)

# Each failed conditional UPDATE means a competitor took the vials first; read again and retry.
MAX_ROUNDS = 50


async def reserve(
    uow: UnitOfWork,
    booked: BookedSession,
    product_code: str,
    needed: int,
    now: datetime,
    first_take: tuple[int, int] | None = None,
) -> int:
    """Hold up to `needed` vials of the product for the session, FEFO; return how many.

    One statement per lot taken (or overtaken). `first_take` is what was taken from the
    product's first lot already, as `reserve_from_first_lot` tells it."""
    stock = StockRepository(uow.session)
    held = lost = 0
    while held < needed:
        if first_take is not None:
            (got, offered), first_take = first_take, None
        else:
            got, offered = await stock.reserve_from_first_lot(
                session_id=booked.session_id,
                product_code=product_code,
                wanted=needed - held,
                after=booked.session_on,
                now=now,
            )
        if not offered:
            break  # no valid lot has a free vial
        held += got
        if got < offered:
            lost += 1
            if lost >= MAX_ROUNDS:  # every round lost its race: record short rather than spin
                log.warning("reservation gave up under contention", extra={"product": product_code})
                break
    return held


async def fill_kit(
    uow: UnitOfWork,
    booked: BookedSession,
    now: datetime,
    *,
    fresh: bool = False,
    kit: list[KitLine] | None = None,
    first_takes: Sequence[tuple[int, int] | None] = (),
) -> dict[str, int]:
    """Reserve what the session's kit still lacks, record the rest as shortages and return it.

    `fresh` says the session was recorded just now, so it holds nothing and lacks nothing yet;
    `kit` is the treatment's kit when the caller has read it already, and `first_takes` what
    was taken for its first lines from each product's first lot (see `reserve`).
    """
    repo = SessionRepository(uow.session)
    held = Counter[str]()
    for reservation in [] if fresh else await repo.reservations(booked.session_id):
        held[reservation.product_code] += reservation.quantity
    short: dict[str, int] = {}
    lines = kit if kit is not None else await KitRepository(uow.session).get(booked.treatment_code)
    for n, line in enumerate(lines):
        needed = still_needed(line.quantity, held[line.product_code])
        taken = first_takes[n] if n < len(first_takes) else None
        got = await reserve(uow, booked, line.product_code, needed, now, taken) if needed else 0
        if needed > got:
            short[line.product_code] = needed - got
        if not fresh or needed > got:
            await repo.set_shortage(booked.session_id, line.product_code, needed - got)
    return short


async def release(uow: UnitOfWork, reservations: list[Reservation]) -> set[str]:
    """Give the reserved vials back to their lots; return the products freed."""
    stock, repo = StockRepository(uow.session), SessionRepository(uow.session)
    for reservation in reservations:
        if await repo.mark(reservation.id, "released"):
            await stock.release(reservation.lot_id, reservation.quantity)
    return {r.product_code for r in reservations}


async def announce(
    uow: UnitOfWork, booked: BookedSession, short: dict[str, int] | None = None, fresh: bool = False
) -> bool:
    """Emit whether the session's kit is complete, and keep its shortage alerts in step.

    `short` is what the session lacks when the caller knows it; `fresh` that it had no alerts.
    """
    if short is None:
        short = await SessionRepository(uow.session).shortages(booked.session_id)
    if short or not fresh:
        await sync_shortage_alerts(uow, booked, short, utcnow())
    if short:
        lines = [ShortLine(product_code=p, quantity_short=q) for p, q in short.items()]
        uow.emit(
            StockShortage(
                session_id=booked.session_id, session_starts_at=booked.starts_at, lines=lines
            )
        )
    else:
        uow.emit(StockReserved(session_id=booked.session_id, session_starts_at=booked.starts_at))
    return bool(short)


async def fill_shortages(uow: UnitOfWork, product_codes: set[str], now: datetime) -> None:
    """Give freed or received stock to sessions short of it, earliest session first; look
    again once this transaction has committed (see `settle_after_commit`)."""
    await _fill_shortages(uow, product_codes, now)
    settle_after_commit(uow, product_codes)


def settle_after_commit(uow: UnitOfWork, product_codes: set[str]) -> None:
    """Once `uow` commits, give any free vials of these products to sessions short of them.

    Under READ COMMITTED a booking coming out short and a delivery (or a release) of the same
    product can each miss the other's uncommitted rows: the booking finds no free vial, the
    delivery no short session, and both commit. Whichever of the two commits second sees both
    commits in a transaction started after its own, so each side looks again after committing.
    """
    if product_codes:
        codes = set(product_codes)
        uow.after_commit(lambda: _settle(uow.sibling(), codes))


async def _settle(uow: UnitOfWork, product_codes: set[str]) -> None:
    async with uow:
        if await StockRepository(uow.session).has_free(product_codes):
            await _fill_shortages(uow, product_codes, utcnow())
            await uow.commit()


async def _fill_shortages(uow: UnitOfWork, product_codes: set[str], now: datetime) -> None:
    if not product_codes:
        return
    repo = SessionRepository(uow.session)
    for session_id in await repo.short_of(product_codes):
        booked = await repo.get(session_id)
        assert booked is not None
        if not await fill_kit(uow, booked, now):
            await announce(uow, booked, {})
