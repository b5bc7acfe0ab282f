"""Booking one session of a course."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from clinic_shared.contracts.events import SessionBooked
from clinic_shared.errors import NotFound
from scheduling.domain import rules
from scheduling.domain.errors import CourseFull, WrongState
from scheduling.domain.model import CourseStatus, Session, SessionStatus
from scheduling.service_layer.context import Scope, facts
from scheduling.service_layer.placement import (
    check_course_interval,
    check_obstacles,
    is_overlap,
    overlap_refused,
    session_end,
)


async def book_session(
    scope: Scope,
    *,
    course_id: uuid.UUID,
    starts_at: datetime,
    room_id: uuid.UUID,
    practitioner_id: uuid.UUID | None = None,
) -> Session:
    """Book the course's next session at `starts_at`; every rule checked, the event emitted."""
    weekday = rules.local_day(starts_at, scope.clinic.zone).weekday()  # its hours are all we need
    known = await scope.bookings.facts(course_id, practitioner_id, room_id, weekday)
    if known is None:
        raise NotFound(f"No course {course_id}.")
    course, practitioner = known.course, known.practitioner_id
    if course.status is not CourseStatus.ACTIVE:
        raise WrongState(f"The course is {course.status.value}; it takes no more bookings.")
    if not known.practitioner_found:
        raise NotFound(f"No practitioner {practitioner}.")
    if not known.room_found:
        raise NotFound(f"No room {room_id}.")
    if (treatment := known.treatment) is None:
        raise NotFound(f"No treatment {course.treatment_code!r}.")
    ends_at = session_end(treatment, starts_at)
    # Read after the course's lock is held: a concurrent booking of the course has committed.
    around = await scope.bookings.around(course.id, practitioner, room_id, starts_at, ends_at)
    existing = around.sessions
    active = [s for s in existing if s.active]
    if len(active) >= course.sessions_planned:
        raise CourseFull(course.sessions_planned)
    check_course_interval(existing, treatment, scope, starts_at)
    check_obstacles(scope, starts_at, ends_at, known.hours, around.away, around.clash)
    session = Session(
        id=uuid.uuid4(),
        course_id=course.id,
        sequence=1 + sum(s.starts_at < starts_at for s in active),
        practitioner_id=practitioner,
        room_id=room_id,
        starts_at=starts_at,
        ends_at=ends_at,
        status=SessionStatus.BOOKED,
    )
    try:
        await scope.calendar.add_session(session, scope.clinic.now)
    except IntegrityError as exc:
        if is_overlap(exc):
            raise await overlap_refused(scope, exc, session) from exc
        raise
    ordered = sorted([*existing, session], key=lambda s: s.starts_at)
    numbers = await scope.renumber(course, announced={session.id}, sessions=ordered)
    scope.uow.emit(SessionBooked(**facts(session, course, numbers[session.id])))
    return replace(session, sequence=numbers[session.id])
