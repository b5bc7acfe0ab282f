"""Scheduling's session events, applied to stock: book, move, cancel, no-show, renumber.

Each handler locks the session's row first, so two events about one session apply one after the
other; an event older than the last one applied (`as_of`) changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from zoneinfo import ZoneInfo

from clinic_shared.contracts.events import (
    SessionBooked,
    SessionFacts,
    SessionRenumbered,
    SessionRescheduled,
)
from clinic_shared.db import utcnow
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.session_repository import SessionRepository, renumber
from inventory.domain.sessions import BookedSession, SessionStatus, session_day
from inventory.service_layer.alerting import sync_shortage_alerts
from inventory.service_layer.patients import patient_seen, remember_patient_id
from inventory.service_layer.reserving import (
    announce,
    fill_kit,
    fill_shortages,
    release,
    settle_after_commit,
)

log = logging.getLogger(__name__)


def _as_booked(
    event: SessionFacts, uow: UnitOfWork, zone: ZoneInfo, status: SessionStatus
) -> BookedSession:
    return BookedSession(
        session_id=event.session_id,
        course_id=event.course_id,
        patient_id=event.patient_id,
        treatment_code=event.treatment_code,
        sequence=event.sequence,
        sessions_planned=event.sessions_planned,
        starts_at=event.starts_at,
        session_on=session_day(event.starts_at, zone),
        status=status,
        as_of=uow.occurred_at,
    )


async def known_session(
    uow: UnitOfWork, event: SessionFacts, zone: ZoneInfo, status: SessionStatus = "booked"
) -> tuple[BookedSession, bool]:
    """The session, locked; recorded from the event (and False) when it is new here."""
    await remember_patient_id(uow, event.patient_id)
    repo = SessionRepository(uow.session)
    booked = _as_booked(event, uow, zone, status)
    if await repo.add_if_new(booked):  # one round trip for a new session, the usual case
        return booked, False
    found = await repo.get(event.session_id, lock=True)
    assert found is not None  # sessions are never deleted
    return found, True


async def reserve_for_booked_session(event: SessionBooked, uow: UnitOfWork, zone: ZoneInfo) -> None:
    """Hold the treatment's kit for the session, FEFO; announce a shortage or a full kit."""
    booked, now = _as_booked(event, uow, zone, "booked"), utcnow()
    repo = SessionRepository(uow.session)
    new = await repo.add_booked(booked, patient_seen(event.patient_id), now=now)
    if new is None:
        return  # already booked here, or moved or ended by a later event
    if not new.kit:
        # Nothing can be promised for a treatment without a kit: say nothing rather than
        # "reserved", and let the stock manager add the kit (PUT /v1/kits/{code}).
        log.warning("no kit for the booked treatment", extra={"treatment": booked.treatment_code})
        return
    short = await fill_kit(uow, booked, now, fresh=True, kit=new.kit, first_takes=new.first_takes)
    await announce(uow, booked, short, fresh=True)
    settle_after_commit(uow, set(short))


async def move_reservations(event: SessionRescheduled, uow: UnitOfWork, zone: ZoneInfo) -> None:
    """Keep lots still valid on the new date; re-allocate the others, FEFO. Vials given up
    may still serve earlier sessions short of them."""
    booked, known = await known_session(uow, event, zone)
    freed: set[str] = set()
    if known:
        if not booked.holds_stock or booked.as_of > uow.occurred_at:
            return
        repo = SessionRepository(uow.session)
        booked = replace(
            booked,
            starts_at=event.starts_at,
            session_on=session_day(event.starts_at, zone),
            as_of=uow.occurred_at,
        )
        moved = {"starts_at": booked.starts_at, "session_on": booked.session_on}
        await repo.update(booked.session_id, **moved, as_of=booked.as_of)
        outlived = await repo.reservations(booked.session_id, expiring_by=booked.session_on)
        freed = await release(uow, outlived)
    short = await fill_kit(uow, booked, utcnow(), fresh=not known)
    await announce(uow, booked, short)
    settle_after_commit(uow, set(short))
    await fill_shortages(uow, freed, utcnow())


async def release_for_ended_session(
    event: SessionFacts, uow: UnitOfWork, zone: ZoneInfo, status: SessionStatus
) -> None:
    """A cancelled or missed session gives its vials back, to sessions short of them first."""
    booked, known = await known_session(uow, event, zone, status)
    if not known or not booked.holds_stock:
        return
    repo = SessionRepository(uow.session)
    await repo.set_status(booked.session_id, status, uow.occurred_at)
    await repo.clear_shortages(booked.session_id)
    await sync_shortage_alerts(uow, booked, {}, utcnow())
    freed = await release(uow, await repo.reservations(booked.session_id))
    await fill_shortages(uow, freed, utcnow())


async def renumber_session(event: SessionRenumbered, uow: UnitOfWork) -> None:
    """An earlier session came or went: record the session's new number, nothing else.

    A session not known here is left to its booking (recording it now would skip its kit).
    `as_of` stays as it is: it orders the events that move stock, and a number is not one of
    them, so a late move older than this renumbering must still apply.
    """
    await renumber(uow.session, event.session_id, event.sequence, uow.occurred_at)
