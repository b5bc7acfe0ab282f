"""Holding vials for booked sessions, FEFO, and telling scheduling whether the kit is complete.

A booked event is applied here whole (`reserve_for_booked_session`): the booking's statement in
`adapters/reservations.py` records the session and takes the first lots; the rest is below.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from clinic_shared.contracts.events import (
    SessionBooked,
    SessionFacts,
    ShortLine,
    StockReserved,
    StockShortage,
)
from clinic_shared.db import utcnow
from inventory.domain.catalogue import KitLine, adjusted_kit
from inventory.domain.sessions import (
    BookedSession,
    Reservation,
    SessionStatus,
    session_day,
    still_needed,
)
from inventory.service_layer.alerting import sync_shortage_alerts
from inventory.service_layer.scans import review_reorders_after_commit
from inventory.service_layer.scope import Scope

log = logging.getLogger(__name__)

# Each failed conditional UPDATE means a competitor took the vials first; read again and retry.
MAX_ROUNDS = 50


def as_booked(event: SessionFacts, scope: Scope, status: SessionStatus) -> BookedSession:
    """The session one of scheduling's events describes, its day in the clinic's zone."""
    return BookedSession(
        session_id=event.session_id,
        course_id=event.course_id,
        patient_id=event.patient_id,
        treatment_code=event.treatment_code,
        sequence=event.sequence,
        sessions_planned=event.sessions_planned,
        starts_at=event.starts_at,
        session_on=session_day(event.starts_at, scope.zone),
        status=status,
        as_of=scope.uow.occurred_at,
    )


async def session_kit(scope: Scope, booked: BookedSession) -> list[KitLine]:
    """What one session of the course uses: its treatment's kit as the course's prescription
    adjusts it (`scheduling.course.prescribed`)."""
    kit = await scope.kits.get(booked.treatment_code)
    adjustments = await scope.courses.kit_adjustments(booked.course_id)
    return adjusted_kit(kit, adjustments) if adjustments else kit


async def reserve_for_booked_session(event: SessionBooked, scope: Scope) -> None:
    """Hold the session's kit (the treatment's, as the course's prescription adjusts it),
    FEFO; announce a shortage or a full kit."""
    booked, now = as_booked(event, scope, "booked"), utcnow()
    await scope.kits.hold_steady(booked.treatment_code)  # a kit change commits first, or waits
    if await scope.courses.kit_adjustments(booked.course_id):
        await _reserve_prescribed_kit(scope, booked, now)
        return
    new = await scope.reservations.record_booking(booked, now=now)
    if new is None:
        return  # already booked here, or moved or ended by a later event
    if not new.kit:
        # Nothing can be promised for a treatment without a kit: say nothing rather than
        # "reserved", and let the stock manager add the kit (PUT /v1/kits/{code}).
        log.warning("no kit for the booked treatment", extra={"treatment": booked.treatment_code})
        return
    short = await fill_kit(scope, booked, now, fresh=True, kit=new.kit, first_takes=new.first_takes)
    await announce(scope, booked, short, fresh=True)
    settle_after_commit(scope, set(short))
    review_reorders_after_commit(scope, {line.product_code for line in new.kit}, now)


async def _reserve_prescribed_kit(scope: Scope, booked: BookedSession, now: datetime) -> None:
    """The booking of a session whose course's kit is adjusted: recorded, then its kit taken
    line by line in product order (the booking's one statement takes the treatment's kit)."""
    await scope.patients.remember(booked.patient_id)
    if not await scope.sessions.add_if_new(booked):
        return  # already booked here, or moved or ended by a later event
    kit = await session_kit(scope, booked)
    short = await fill_kit(scope, booked, now, fresh=True, kit=kit)
    await announce(scope, booked, short, fresh=True)
    settle_after_commit(scope, set(short))
    review_reorders_after_commit(scope, {line.product_code for line in kit}, now)


async def reserve(
    scope: Scope,
    booked: BookedSession,
    product_code: str,
    needed: int,
    now: datetime,
    first_take: tuple[int, int] | None = None,
) -> int:
    """Hold up to `needed` vials of the product for the session, FEFO; return how many.

    One statement per lot taken (or overtaken). `first_take` is what was taken from the
    product's first lot already, as `reserve_from_first_lot` tells it."""
    held = lost = 0
    while held < needed:
        if first_take is not None:
            (got, offered), first_take = first_take, None
        else:
            got, offered = await scope.reservations.reserve_from_first_lot(
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
    scope: Scope,
    booked: BookedSession,
    now: datetime,
    *,
    fresh: bool = False,
    kit: list[KitLine] | None = None,
    first_takes: Sequence[tuple[int, int] | None] = (),
) -> dict[str, int]:
    """Reserve what the session's kit still lacks, record the rest as shortages and return it.

    Lines are taken in product order, each product's lots FEFO: the lock order of
    `adapters/reservations.py`. `fresh` says the session was recorded just now, so it holds
    nothing and lacks nothing yet; `kit` is the treatment's kit when the caller has read it
    already, and `first_takes` what the booking took for each line from its product's first
    lot (see `reserve`).
    """
    held = Counter[str]()
    for reservation in [] if fresh else await scope.sessions.reservations(booked.session_id):
        held[reservation.product_code] += reservation.quantity
    short: dict[str, int] = {}
    lines = kit if kit is not None else await session_kit(scope, booked)
    for n, line in enumerate(lines):
        needed = still_needed(line.quantity, held[line.product_code])
        taken = first_takes[n] if n < len(first_takes) else None
        got = await reserve(scope, booked, line.product_code, needed, now, taken) if needed else 0
        if needed > got:
            short[line.product_code] = needed - got
        if not fresh or needed > got:
            await scope.sessions.set_shortage(booked.session_id, line.product_code, needed - got)
    return short


async def release(scope: Scope, reservations: list[Reservation]) -> set[str]:
    """Give the reserved vials back to their lots; return the products freed."""
    for reservation in reservations:
        if await scope.sessions.mark(reservation.id, "released"):
            await scope.stock.release(reservation.lot_id, reservation.quantity)
    return {r.product_code for r in reservations}


async def announce(
    scope: Scope, booked: BookedSession, short: dict[str, int] | None = None, fresh: bool = False
) -> bool:
    """Emit whether the session's kit is complete, and keep its shortage alerts in step.

    `short` is what the session lacks when the caller knows it; `fresh` that it had no alerts.
    """
    if short is None:
        short = await scope.sessions.shortages(booked.session_id)
    if short or not fresh:
        await sync_shortage_alerts(scope, booked, short, utcnow())
    if short:
        lines = [ShortLine(product_code=p, quantity_short=q) for p, q in short.items()]
        scope.uow.emit(
            StockShortage(
                session_id=booked.session_id, session_starts_at=booked.starts_at, lines=lines
            )
        )
    else:
        scope.uow.emit(
            StockReserved(session_id=booked.session_id, session_starts_at=booked.starts_at)
        )
    return bool(short)


async def fill_shortages(scope: Scope, product_codes: set[str], now: datetime) -> None:
    """Give freed or received stock to sessions short of it, earliest session first; look
    again once this transaction has committed (see `settle_after_commit`)."""
    await _fill_shortages(scope, product_codes, now)
    settle_after_commit(scope, product_codes)


def settle_after_commit(scope: Scope, product_codes: set[str]) -> None:
    """Once the scope's unit of work commits, give any free vials of these products to
    sessions short of them.

    Under READ COMMITTED a booking coming out short and a delivery (or a release) of the same
    product can each miss the other's uncommitted rows: the booking finds no free vial, the
    delivery no short session, and both commit. Whichever of the two commits second sees both
    commits in a transaction started after its own, so each side looks again after committing.
    """
    if product_codes:
        codes = set(product_codes)
        scope.uow.after_commit(lambda: _settle(scope.sibling(), codes))


async def _settle(scope: Scope, product_codes: set[str]) -> None:
    async with scope.uow:
        if await scope.stock.has_free(product_codes):
            await _fill_shortages(scope, product_codes, utcnow())
            await scope.uow.commit()


async def _fill_shortages(scope: Scope, product_codes: set[str], now: datetime) -> None:
    if not product_codes:
        return
    for session_id in await scope.sessions.short_of(product_codes):
        booked = await scope.sessions.get(session_id)
        assert booked is not None
        if not await fill_kit(scope, booked, now):
            await announce(scope, booked, {})
