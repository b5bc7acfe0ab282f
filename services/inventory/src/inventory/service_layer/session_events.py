"""Scheduling's session events after the booking, applied to stock: move, cancel, no-show,
renumber (the booking is `reserving.reserve_for_booked_session`).

Each handler locks the session's row first, so two events about one session apply one after the
other; an event older than the last one applied (`as_of`) changes nothing.
"""

from __future__ import annotations

from dataclasses import replace

from clinic_shared.contracts.events import (
    SessionCancelled,
    SessionFacts,
    SessionNoShow,
    SessionRenumbered,
    SessionRescheduled,
)
from clinic_shared.db import utcnow
from inventory.domain.sessions import BookedSession, SessionStatus, session_day
from inventory.service_layer.alerting import sync_shortage_alerts
from inventory.service_layer.reserving import (
    announce,
    as_booked,
    fill_kit,
    fill_shortages,
    release,
    settle_after_commit,
)
from inventory.service_layer.scope import Scope


async def known_session(
    scope: Scope, event: SessionFacts, status: SessionStatus = "booked"
) -> tuple[BookedSession, bool]:
    """The session, locked; recorded from the event (and False) when it is new here."""
    await scope.patients.remember(event.patient_id)
    booked = as_booked(event, scope, status)
    if await scope.sessions.add_if_new(booked):  # one round trip for a new session, the usual case
        return booked, False
    found = await scope.sessions.get(event.session_id, lock=True)
    assert found is not None  # sessions are never deleted
    return found, True


async def move_reservations(event: SessionRescheduled, scope: Scope) -> None:
    """Keep lots still valid on the new date; re-allocate the others, FEFO. Vials given up
    may still serve earlier sessions short of them."""
    await scope.kits.hold_steady(event.treatment_code)  # a new session here reads the kit
    booked, known = await known_session(scope, event)
    freed: set[str] = set()
    if known:
        if not booked.holds_stock or booked.as_of > scope.uow.occurred_at:
            return
        repo = scope.sessions
        booked = replace(
            booked,
            starts_at=event.starts_at,
            session_on=session_day(event.starts_at, scope.zone),
            as_of=scope.uow.occurred_at,
        )
        moved = {"starts_at": booked.starts_at, "session_on": booked.session_on}
        await repo.update(booked.session_id, **moved, as_of=booked.as_of)
        outlived = await repo.reservations(booked.session_id, expiring_by=booked.session_on)
        freed = await release(scope, outlived)
    short = await fill_kit(scope, booked, utcnow(), fresh=not known)
    await announce(scope, booked, short)
    settle_after_commit(scope, set(short))
    await fill_shortages(scope, freed, utcnow())


async def release_for_ended_session(
    event: SessionFacts, scope: Scope, status: SessionStatus
) -> None:
    """A cancelled or missed session gives its vials back, to sessions short of them first."""
    booked, known = await known_session(scope, event, status)
    if not known or not booked.holds_stock:
        return
    repo = scope.sessions
    await repo.set_status(booked.session_id, status, scope.uow.occurred_at)
    await repo.clear_shortages(booked.session_id)
    await sync_shortage_alerts(scope, booked, {}, utcnow())
    freed = await release(scope, await repo.reservations(booked.session_id))
    await fill_shortages(scope, freed, utcnow())


async def release_for_cancelled_session(event: SessionCancelled, scope: Scope) -> None:
    await release_for_ended_session(event, scope, "cancelled")


async def release_for_missed_session(event: SessionNoShow, scope: Scope) -> None:
    await release_for_ended_session(event, scope, "no_show")


async def renumber_session(event: SessionRenumbered, scope: Scope) -> None:
    """An earlier session came or went: record the session's new number, nothing else.

    A session not known here is left to its booking (recording it now would skip its kit).
    `as_of` stays as it is: it orders the events that move stock, and a number is not one of
    them, so a late move older than this renumbering must still apply.
    """
    await scope.sessions.renumber(event.session_id, event.sequence, scope.uow.occurred_at)
