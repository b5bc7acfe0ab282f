"""Courses: opening one, reading it with its next window, planning and booking the rest at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from clinic_shared.contracts.events import CourseAbandoned, CourseCreated, SessionCancelled
from clinic_shared.errors import AppError, NotFound, Unprocessable
from scheduling.domain import rules
from scheduling.domain.errors import CourseAlreadyActive, UnknownTreatment, WrongState
from scheduling.domain.gaps import fill_window
from scheduling.domain.model import (
    ACTIVE,
    UPCOMING,
    Course,
    CourseStatus,
    Session,
    SessionStatus,
    Treatment,
    Window,
)
from scheduling.domain.planning import (
    Calendar,
    NoSlot,
    PlanRequest,
    ProposedSession,
    RoomChooser,
    plan_course,
)
from scheduling.domain.rules import overlaps
from scheduling.service_layer.booking import book_session
from scheduling.service_layer.gaps import GapView, gaps_of
from scheduling.service_layer.scope import Scope, facts, relabel


async def open_course(
    scope: Scope,
    *,
    patient_id: uuid.UUID,
    treatment_code: str,
    practitioner_id: uuid.UUID,
    sessions_planned: int | None,
) -> CourseView:
    # The patient's row stays locked to the commit: two courses opened for them at once are
    # judged one after the other, so the second sees the first.
    if await scope.patients.get(patient_id, lock=True) is None:
        raise NotFound(f"No patient {patient_id}.")
    treatment = await scope.staff.treatment(treatment_code)
    if treatment is None:
        raise UnknownTreatment(treatment_code)
    await _one_active_course_per_area(scope, patient_id, treatment)
    if await scope.staff.practitioner(practitioner_id) is None:
        raise NotFound(f"No practitioner {practitioner_id}.")
    course = Course(
        id=uuid.uuid4(),
        patient_id=patient_id,
        treatment_code=treatment.code,
        practitioner_id=practitioner_id,
        sessions_planned=sessions_planned or treatment.default_sessions,
        status=CourseStatus.ACTIVE,
        created_at=scope.clinic.now,
    )
    await scope.calendar.add_course(course)
    scope.uow.emit(CourseCreated(**_course_facts(course)))
    return await view(scope, course)


async def _one_active_course_per_area(
    scope: Scope, patient_id: uuid.UUID, treatment: Treatment
) -> None:
    """A patient has one active course per treatment area (thighs and intensive thighs share
    "thighs"): a second one is a 409 naming the first, whose missing sessions are the way on."""
    for course in await scope.calendar.courses_of(patient_id):
        if course.status is not CourseStatus.ACTIVE:
            continue
        other = await scope.treatment(course.treatment_code)
        if other.area == treatment.area:
            raise CourseAlreadyActive(course, area=treatment.area)


async def abandon(scope: Scope, course_id: uuid.UUID) -> CourseView:
    """Stop a course in one step: its upcoming sessions are cancelled with it (their vials
    released and their messages cancelled, with one notice for the whole action). Refused
    while one of its sessions is under way: complete it or mark it a no-show first."""
    course = await scope.course(course_id, lock=True)
    if course.status is not CourseStatus.ACTIVE:
        raise WrongState(f"The course is already {course.status.value}.")
    sessions = await scope.calendar.sessions_of(course.id)
    now = scope.clinic.now
    # A session completed (or missed) before its slot ends is done with: it holds nothing up.
    under_way = [s for s in sessions if s.status in UPCOMING and s.starts_at <= now < s.ends_at]
    if under_way:
        raise WrongState(
            "A session of this course is under way: complete it or mark it a no-show first.",
            session_ids=[str(s.id) for s in under_way],
        )
    upcoming = [s for s in sessions if s.status in ACTIVE and s.starts_at > now]
    action = scope.action(len(upcoming)) if upcoming else None
    for session in upcoming:
        await scope.calendar.update_session(
            session.id, now, status=SessionStatus.CANCELLED, cancel_reason="course abandoned"
        )
        scope.uow.emit(
            SessionCancelled(**facts(session, course, action=action), reason="course abandoned")
        )
    await scope.calendar.set_course_status(course.id, CourseStatus.ABANDONED)
    scope.uow.emit(CourseAbandoned(**_course_facts(course)))
    return await view(scope, await scope.course(course.id))


def _course_facts(course: Course) -> dict[str, object]:
    return {
        "course_id": course.id,
        "patient_id": course.patient_id,
        "practitioner_id": course.practitioner_id,
        "treatment_code": course.treatment_code,
        "sessions_planned": course.sessions_planned,
    }


@dataclass(frozen=True)
class CourseView:
    """A course as it is read: its sessions in start order, its gaps, and its next session's
    window."""

    course: Course
    sessions: list[Session]
    next_window: Window | None
    gaps: list[GapView]

    @property
    def interval_broken(self) -> bool:
        """A gap that is neither filled nor accepted by staff."""
        return any(g.acceptance is None for g in self.gaps)


async def view(scope: Scope, course: Course) -> CourseView:
    sessions = await scope.calendar.sessions_of(course.id)
    found = await gaps_of(scope, course, sessions)
    return CourseView(course, sessions, await next_window(scope, course, sessions, found), found)


async def read_course(scope: Scope, course_id: uuid.UUID) -> CourseView:
    return await view(scope, await scope.course(course_id))


async def courses_of(scope: Scope, patient_id: uuid.UUID) -> list[CourseView]:
    """The patient's courses, oldest first."""
    return [await view(scope, c) for c in await scope.calendar.courses_of(patient_id)]


async def next_window(
    scope: Scope, course: Course, sessions: list[Session], found: list[GapView]
) -> Window | None:
    """The days the next unbooked session may fall on: in the first gap not accepted, when
    there is one, else after the last session; None when nothing is left to book."""
    active = [s for s in sessions if s.active]
    if course.status is not CourseStatus.ACTIVE or len(active) >= course.sessions_planned:
        return None
    treatment = await scope.treatment(course.treatment_code)
    if gap := next((g.gap for g in found if g.acceptance is None), None):
        return fill_window(treatment, scope.clinic.zone, gap.before.starts_at, gap.after.starts_at)
    last = max((s.starts_at for s in active), default=None)
    return rules.interval_window(treatment, scope.clinic.zone, last)


@dataclass(frozen=True)
class PlanOptions:
    first_day: date | None = None
    weekdays: frozenset[int] = frozenset()
    time_of_day: time | None = None
    room_id: uuid.UUID | None = None


async def plan(scope: Scope, course_id: uuid.UUID, options: PlanOptions) -> list[ProposedSession]:
    """Propose every remaining session of the course at a valid, free slot, from the first day
    asked for (today at the earliest) to the booking horizon at the latest."""
    zone, now, horizon = scope.clinic.zone, scope.clinic.now, scope.clinic.horizon
    last_day = rules.local_day(now + horizon, zone)
    if options.first_day is not None:
        rules.check_day_horizon(options.first_day, now, horizon, zone, "body.first_date")
    course = await scope.course(course_id)
    if course.status is not CourseStatus.ACTIVE:
        raise WrongState(f"The course is {course.status.value}.")
    treatment = await scope.treatment(course.treatment_code)
    every = await scope.calendar.sessions_of(course.id)
    sessions = [s for s in every if s.active]
    remaining = course.sessions_planned - len(sessions)
    if remaining <= 0:
        return []
    gaps = [g.gap for g in await gaps_of(scope, course, every) if g.acceptance is None]
    today = rules.local_day(now, zone)
    first_day = max(options.first_day or today, today)
    previous = max(sessions, key=lambda s: s.starts_at, default=None)
    # Proposals start after the course's last session, which may be well past first_day, or
    # in its first gap.
    start_day = max(first_day, rules.local_day(previous.starts_at, zone)) if previous else first_day
    span_start = datetime.combine(start_day, time(), tzinfo=zone)
    span_end = span_start + timedelta(days=(remaining + 1) * treatment.max_interval_days + 2)
    if gaps:
        gap_day = max(first_day, rules.local_day(gaps[0].before.starts_at, zone))
        span_start = min(span_start, datetime.combine(gap_day, time(), tzinfo=zone))
    calendar = Calendar(
        zone=zone,
        hours=await scope.staff.hours(course.practitioner_id),
        time_off=await scope.staff.time_off(course.practitioner_id, span_start, span_end),
        practitioner_busy=await scope.calendar.busy(
            "practitioner_id", course.practitioner_id, span_start, span_end
        ),
        patient_busy=await scope.calendar.busy(
            "patient_id", course.patient_id, span_start, span_end
        ),
        free_room=await _room_chooser(scope, options.room_id, span_start, span_end),
    )
    request = PlanRequest(
        first_day=first_day,
        sessions_to_plan=remaining,
        next_sequence=len(sessions) + 1,
        weekdays=options.weekdays,
        time_of_day=options.time_of_day,
        last_day=last_day,
        booked=tuple(s.starts_at for s in sessions),
        gaps=tuple((g.before.starts_at, g.after.starts_at) for g in gaps),
    )
    try:
        return plan_course(request, treatment, calendar, previous, now)
    except NoSlot as exc:
        at_horizon = f" (nothing is booked past {last_day})" if exc.last == last_day else ""
        in_gap = (
            f": it would fill the gap in the course's interval, which staff may accept instead "
            f"(POST /v1/courses/{course.id}/accept-gaps)"
            if exc.in_gap
            else ""
        )
        raise Unprocessable(
            f"No free slot for session {exc.sequence} between {exc.first} and {exc.last}"
            f"{at_horizon}{in_gap}.",
            sequence=exc.sequence,
            window={"earliest": str(exc.first), "latest": str(exc.last)},
            gap=exc.in_gap,
        ) from exc


async def _room_chooser(
    scope: Scope, preferred: uuid.UUID | None, start: datetime, end: datetime
) -> RoomChooser:
    rooms = [r.id for r in await scope.staff.rooms()]
    if preferred is not None:
        if preferred not in rooms:
            raise NotFound(f"No room {preferred}.")
        rooms = [preferred] + [r for r in rooms if r != preferred]
    busy = {room: await scope.calendar.busy("room_id", room, start, end) for room in rooms}

    def choose(slot_start: datetime, slot_end: datetime) -> uuid.UUID | None:
        for room in rooms:
            if not any(overlaps(slot_start, slot_end, b, e) for b, e in busy[room]):
                return room
        return None

    return choose


@dataclass(frozen=True)
class PlannedStart:
    starts_at: datetime
    room_id: uuid.UUID


async def book_plan(
    scope: Scope, course_id: uuid.UUID, starts: list[PlannedStart]
) -> list[Session]:
    """Book every start or none: the first refusal names its place in the list."""
    booked = []
    action = scope.action(len(starts))  # one booking: one confirmation, not one per session
    for index, planned in enumerate(starts):
        try:
            booked.append(
                await book_session(
                    scope,
                    course_id=course_id,
                    starts_at=planned.starts_at,
                    room_id=planned.room_id,
                    action=action,
                )
            )
        except AppError as exc:
            raise relabel(exc, f"body.sessions[{index}].starts_at", index=index) from None
    return booked
