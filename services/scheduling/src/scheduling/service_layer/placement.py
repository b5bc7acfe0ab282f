"""Whether a session may stand at a time: every rule, checked against the database's state."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from scheduling.domain import rules
from scheduling.domain.errors import SlotTaken
from scheduling.domain.gaps import fill_window
from scheduling.domain.model import Session, TimeOff, Treatment, WorkingHours
from scheduling.service_layer.closures import closed_holidays
from scheduling.service_layer.scope import Scope


async def check_slot(
    scope: Scope,
    *,
    treatment: Treatment,
    patient_id: uuid.UUID,
    practitioner_id: uuid.UUID,
    room_id: uuid.UUID,
    starts_at: datetime,
    moving: Collection[uuid.UUID] = (),
) -> datetime:
    """Check time, horizon, hours, absences (time off, closures, closed holidays) and overlaps;
    the session's end when all hold."""
    clinic = scope.clinic
    rules.check_horizon(starts_at, clinic.now, clinic.horizon, "body.starts_at")
    ends_at = session_end(treatment, starts_at)
    hours = await scope.staff.hours(practitioner_id)
    away, clash = await scope.bookings.obstacles(
        patient_id, practitioner_id, room_id, starts_at, ends_at, excluding=moving
    )
    away = [*away, *await closed_holidays(scope, starts_at, ends_at)]
    check_obstacles(scope, starts_at, ends_at, hours, away, clash)
    return ends_at


def session_end(treatment: Treatment, starts_at: datetime) -> datetime:
    return starts_at + timedelta(minutes=treatment.session_minutes)


def check_obstacles(
    scope: Scope,
    starts_at: datetime,
    ends_at: datetime,
    hours: Sequence[WorkingHours],
    away: Sequence[TimeOff],
    clash: tuple[str, uuid.UUID] | None,
) -> None:
    """Refuse a slot in the past, outside the practitioner's hours, in their time off or while
    the clinic is closed (`away`), or held by another session (`clash`: who is taken, the
    patient, practitioner or room, by which)."""
    rules.check_not_past(starts_at, scope.clinic.now)
    rules.check_hours(starts_at, ends_at, hours, scope.clinic.zone)
    rules.check_time_off(starts_at, ends_at, away)
    if clash is not None:
        raise SlotTaken(*clash)


def check_course_interval(
    sessions: Sequence[Session],
    treatment: Treatment,
    scope: Scope,
    starts_at: datetime,
    *,
    excluding: uuid.UUID | None = None,
) -> tuple[Session | None, Session | None]:
    """Refuse a start outside the window the course's neighbouring sessions allow (422); in a
    gap too wide for one session, the window that fills it from its start."""
    before, after = rules.neighbours(sessions, starts_at, excluding=excluding)
    window = fill_window(
        treatment,
        scope.clinic.zone,
        before.starts_at if before else None,
        after.starts_at if after else None,
    )
    rules.check_interval(starts_at, window, scope.clinic.zone)
    return before, after


async def overlap_refused(scope: Scope, exc: IntegrityError, session: Session) -> SlotTaken:
    """Translate the database's exclusion constraint (a concurrent booking won) into a 409."""
    text = str(exc.orig)
    label = next((r for r in _HELD_BY if f"{r}_id_no_overlap" in text), "practitioner")
    await scope.rollback()
    other = await scope.calendar.first_overlap(
        f"{label}_id",
        _HELD_BY[label](session),
        session.starts_at,
        session.ends_at,
        excluding={session.id},
    )
    return SlotTaken(label, other)


# What each no-overlap constraint is about, and who that is for a session.
_HELD_BY: dict[str, Callable[[Session], uuid.UUID]] = {
    "patient": lambda s: s.patient_id,
    "practitioner": lambda s: s.practitioner_id,
    "room": lambda s: s.room_id,
}


def is_overlap(exc: IntegrityError) -> bool:
    return "_no_overlap" in str(exc.orig)
