"""Booking one session of a course."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from clinic_shared.contracts.events import Action, SessionBooked
from clinic_shared.errors import NotFound
from scheduling.domain import rules
from scheduling.domain.errors import CourseFull, WrongState
from scheduling.domain.model import CourseStatus, Session, SessionStatus
from scheduling.domain.prescriptions import as_prescribed, check_guards
from scheduling.service_layer.closures import closed_holidays
from scheduling.service_layer.placement import (
    check_course_interval,
    check_obstacles,
    is_overlap,
    overlap_refused,
    session_end,
)
from scheduling.service_layer.scope import Scope, facts

BOOKED_FIELDS = ("starts_at", "ends_at", "practitioner_id", "room_id")


@dataclass(frozen=True)
class Wanted:
    """The booking asked for."""

    course_id: uuid.UUID
    starts_at: datetime
    room_id: uuid.UUID
    practitioner_id: uuid.UUID | None
    action: Action


async def book_session(
    scope: Scope,
    *,
    course_id: uuid.UUID,
    starts_at: datetime,
    room_id: uuid.UUID,
    practitioner_id: uuid.UUID | None = None,
    action: Action | None = None,
    after_others: bool = False,
) -> Session:
    """Book the course's next session at `starts_at`; every rule checked, the event emitted
    (as part of `action`, else as an action of its own).

    The session is inserted with the read it is checked against (a round trip fewer) and a
    refusal rolls it back. When the database refuses the insert itself (the slot is held), the
    booking starts again checking first, so that it is refused for what the checks find first.
    `after_others`: the transaction holds other changes already (a plan's earlier sessions, the
    course just opened), which the insert's refusal must not drop: it is tried in a savepoint.
    """
    rules.check_horizon(starts_at, scope.clinic.now, scope.clinic.horizon, "body.starts_at")
    # Kept, announced and answered in UTC, as the database gives every session back.
    wanted = Wanted(
        course_id, starts_at.astimezone(UTC), room_id, practitioner_id, action or scope.action(1)
    )
    try:
        if not after_others:
            return await _book(scope, wanted, insert_early=True)
        async with scope.savepoint():
            return await _book(scope, wanted, insert_early=True)
    except IntegrityError as exc:
        if not is_overlap(exc):
            raise
    if not after_others:
        await scope.rollback()
    # This attempt reads before it inserts: an absence recorded in between would not be seen.
    await scope.calendar.wait_for_absences()
    return await _book(scope, wanted, insert_early=False)


async def _book(scope: Scope, wanted: Wanted, *, insert_early: bool) -> Session:
    starts_at, room_id = wanted.starts_at, wanted.room_id
    weekday = rules.local_day(starts_at, scope.clinic.zone).weekday()  # its hours are all we need
    known = await scope.bookings.facts(wanted.course_id, wanted.practitioner_id, room_id, weekday)
    if known is None:
        raise NotFound(f"No course {wanted.course_id}.")
    course, practitioner = known.course, known.practitioner_id
    if course.status is not CourseStatus.ACTIVE:
        raise WrongState(f"The course is {course.status.value}; it takes no more bookings.")
    if not known.practitioner_found:
        raise NotFound(f"No practitioner {practitioner}.")
    if not known.room_found:
        raise NotFound(f"No room {room_id}.")
    if (treatment := known.treatment) is None:
        raise NotFound(f"No treatment {course.treatment_code!r}.")
    check_guards(known.guards, course, treatment, starts_at, "body.starts_at", scope.clinic.zone)
    treatment = as_prescribed(treatment, course)  # the course's interval, not the catalogue's
    ends_at = session_end(treatment, starts_at)
    new_id = uuid.uuid4()
    # Read after the course's lock is held: a concurrent booking of the course has committed.
    around = await scope.bookings.around(
        course.id,
        course.patient_id,
        practitioner,
        room_id,
        starts_at,
        ends_at,
        adding=(new_id, scope.clinic.now) if insert_early else None,
    )
    existing = around.sessions
    active = [s for s in existing if s.active]
    if len(active) >= course.sessions_planned:
        raise CourseFull(course.sessions_planned)
    check_course_interval(existing, treatment, scope, starts_at)
    away = [*around.away, *await closed_holidays(scope, starts_at, ends_at)]
    check_obstacles(scope, starts_at, ends_at, known.hours, away, around.clash)
    session = Session(
        id=new_id,
        course_id=course.id,
        patient_id=course.patient_id,
        sequence=1 + sum(s.starts_at < starts_at for s in active),  # as the early insert counts
        practitioner_id=practitioner,
        room_id=room_id,
        starts_at=starts_at,
        ends_at=ends_at,
        status=SessionStatus.BOOKED,
    )
    if not insert_early:
        try:
            await scope.calendar.add_session(session, scope.clinic.now)
        except IntegrityError as exc:
            if is_overlap(exc):
                raise await overlap_refused(scope, exc, session) from exc
            raise
    await scope.record("session", session.id, "booked", BOOKED_FIELDS)
    ordered = sorted([*existing, session], key=lambda s: s.starts_at)
    numbers = await scope.renumber(course, announced={session.id}, sessions=ordered)
    scope.uow.emit(SessionBooked(**facts(session, course, numbers[session.id], wanted.action)))
    return replace(session, sequence=numbers[session.id])
