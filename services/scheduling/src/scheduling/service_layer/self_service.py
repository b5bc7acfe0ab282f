"""What a patient does through their self-service link: see the course's upcoming sessions,
confirm, cancel or move one. Each change is the staff's own use case, recorded as the patient's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from clinic_shared.errors import NotFound
from clinic_shared.patient_links import InvalidLink, read_link
from scheduling.adapters.waitlist import Entry
from scheduling.domain import rules
from scheduling.domain.errors import LinkRefused
from scheduling.domain.model import Course, Session, SessionStatus
from scheduling.domain.planning import Calendar, free_starts
from scheduling.domain.self_service import check_link_standing, check_notice, upcoming
from scheduling.service_layer import moves, outcomes, waitlist
from scheduling.service_layer.closures import absences
from scheduling.service_layer.scope import Scope

PATIENT_ROLE = "patient"


@dataclass(frozen=True)
class LinkedCourse:
    """What the page may show: the first name, the treatment, the times (no other detail)."""

    course: Course
    first_name: str
    treatment_name: str
    sessions: list[Session]


async def open_link(scope: Scope, *, key: str, token: str, lock: bool = False) -> LinkedCourse:
    """The course a link is bound to, while the link stands; the scope then acts as the patient."""
    try:
        link = read_link(key, token)
    except InvalidLink as exc:
        raise LinkRefused from exc
    course = await scope.calendar.course(link.course_id, lock=lock)
    if course is None:
        raise LinkRefused
    patient = await scope.patients.get(course.patient_id)
    sessions = await scope.calendar.sessions_of(course.id)
    now = scope.clinic.now
    if patient is None:
        raise LinkRefused
    check_link_standing(erased=patient.erased_at is not None, sessions=sessions, now=now)
    scope.act_as(str(patient.id), PATIENT_ROLE)
    treatment = await scope.treatment(course.treatment_code)
    return LinkedCourse(course, patient.first_name, treatment.name, upcoming(sessions, now))


async def _target(scope: Scope, key: str, token: str, session_id: uuid.UUID) -> Session:
    """The session, locked, if it belongs to the link's course (else 404, as for any unknown)."""
    linked = await open_link(scope, key=key, token=token, lock=True)
    session = await scope.calendar.session(session_id, lock=True)
    if session is None or session.course_id != linked.course.id:
        raise NotFound(f"No session {session_id}.")
    return session


async def confirm(scope: Scope, *, key: str, token: str, session_id: uuid.UUID) -> Session:
    """Confirm a booked session; a confirmed one stays as it is."""
    session = await _target(scope, key, token, session_id)
    if session.status is SessionStatus.BOOKED and session.starts_at > scope.clinic.now:
        await scope.calendar.confirm(session.id, scope.clinic.now, scope.clinic.now)
        await scope.record("session", session.id, "confirmed", ("status",))
    return await scope.session(session.id)


async def cancel(
    scope: Scope, *, key: str, token: str, session_id: uuid.UUID, notice: timedelta
) -> Session:
    """Cancel a session `notice` or more before its start; a cancelled one stays as it is."""
    session = await _target(scope, key, token, session_id)
    if session.status is SessionStatus.CANCELLED:
        return session
    check_notice(session.starts_at, scope.clinic.now, notice)
    return await outcomes.cancel(scope, session_id, "cancelled by the patient")


async def move(
    scope: Scope,
    *,
    key: str,
    token: str,
    session_id: uuid.UUID,
    starts_at: datetime,
    notice: timedelta,
) -> Session:
    """Move a session as staff would (same rules, same event); to where it is already: no change."""
    clinic = scope.clinic
    rules.check_horizon(starts_at, clinic.now, clinic.horizon, "body.starts_at")
    session = await _target(scope, key, token, session_id)
    if session.starts_at == starts_at and session.status is not SessionStatus.CANCELLED:
        return session
    check_notice(session.starts_at, scope.clinic.now, notice)
    moved, *_ = await moves.reschedule(scope, session_id=session_id, starts_at=starts_at)
    return moved


async def free_slots(
    scope: Scope, *, key: str, token: str, session_id: uuid.UUID
) -> list[datetime]:
    """The starts a move of the session may take: days its neighbours allow, up to the booking
    horizon, when its practitioner works, and it, the patient and its room are free."""
    session = await _target(scope, key, token, session_id)
    course = await scope.course(session.course_id)
    treatment = await scope.course_treatment(course)
    zone, now = scope.clinic.zone, scope.clinic.now
    window = (await moves.move_windows(scope, session_id)).alone
    today = rules.local_day(now, zone)
    first = max(window.earliest or today, today)
    last = min(
        window.latest or first + timedelta(days=treatment.max_interval_days),
        rules.local_day(now + scope.clinic.horizon, zone),
    )
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if not days:
        return []
    start = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
    own = (session.starts_at, session.ends_at)

    async def busy(column: str, resource: uuid.UUID) -> list[tuple[datetime, datetime]]:
        return [b for b in await scope.calendar.busy(column, resource, start, end) if b != own]

    room_busy = await busy("room_id", session.room_id)
    calendar = Calendar(
        zone=zone,
        hours=await scope.staff.hours(session.practitioner_id),
        time_off=await absences(scope, session.practitioner_id, start, end),
        practitioner_busy=await busy("practitioner_id", session.practitioner_id),
        patient_busy=await busy("patient_id", session.patient_id),
        free_room=lambda s, e: (
            None if any(rules.overlaps(s, e, b, f) for b, f in room_busy) else session.room_id
        ),
    )
    horizon = now + scope.clinic.horizon
    found = free_starts(days, treatment, calendar, now)
    return [s for s in found if s != session.starts_at and s <= horizon]


async def join_waitlist(scope: Scope, *, key: str, token: str) -> tuple[Entry, bool]:
    """Put the link's course on the waitlist, as the patient (again: it keeps its place)."""
    linked = await open_link(scope, key=key, token=token)
    return await waitlist.join(scope, linked.course.id)
