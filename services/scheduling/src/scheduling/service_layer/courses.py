"""Courses: opening one, reading it with its next window, planning and booking the rest at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from clinic_shared.contracts.events import (
    Action,
    CourseAbandoned,
    CourseCreated,
    SessionCancelled,
)
from clinic_shared.errors import AppError, NotFound, Unprocessable
from scheduling.domain import rules
from scheduling.domain.errors import (
    CourseAlreadyActive,
    ErasedPatient,
    UnknownTreatment,
    WrongState,
)
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
from scheduling.domain.prescriptions import (
    Override,
    Prescription,
    not_before,
    prescription_of,
)
from scheduling.domain.rules import overlaps
from scheduling.service_layer.access import check_treats
from scheduling.service_layer.booking import book_session
from scheduling.service_layer.closures import absences
from scheduling.service_layer.gaps import GapView, gaps_of
from scheduling.service_layer.prescriptions import check_conditions, maintenance_floor, prescribe
from scheduling.service_layer.scope import Scope, facts, relabel

OPENED_FIELDS = ("treatment_code", "practitioner_id", "sessions_planned")


async def open_course(
    scope: Scope,
    *,
    patient_id: uuid.UUID,
    treatment_code: str,
    practitioner_id: uuid.UUID,
    sessions_planned: int | None,
    min_interval_days: int | None = None,
    max_interval_days: int | None = None,
    kit_adjustments: dict[str, int] | None = None,
    by: str,
) -> CourseView:
    """Open a course with its prescription (recorded as `by`'s): the session count, the
    interval (the treatment's when not named) and the kit's adjustments."""
    # The patient's row stays locked to the commit: two courses opened for them at once are
    # judged one after the other, so the second sees the first.
    patient = await scope.patients.get(patient_id, lock=True)
    if patient is None:
        raise NotFound(f"No patient {patient_id}.")
    if patient.erased_at is not None:
        raise ErasedPatient(patient_id)
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
    await scope.record("course", course.id, "opened", OPENED_FIELDS)
    scope.uow.emit(CourseCreated(**_course_facts(course)))
    prescription = Prescription(
        sessions_planned=course.sessions_planned,
        min_interval_days=min_interval_days or treatment.min_interval_days,
        max_interval_days=max_interval_days or treatment.max_interval_days,
        kit_adjustments=kit_adjustments or {},
    )
    await prescribe(scope, course, prescription, by=by, revision=1)
    return await view(scope, await scope.course(course.id))


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
    await _stop(scope, course, upcoming, action, "course abandoned")
    return await view(scope, await scope.course(course.id))


async def stop_courses_of(scope: Scope, patient_id: uuid.UUID, reason: str) -> None:
    """Abandon the patient's active courses and cancel their sessions yet to start, as one
    action (their vials released and their messages cancelled); a session under way is left
    to be completed or marked a no-show."""
    now = scope.clinic.now
    stopping = []
    for found in await scope.calendar.courses_of(patient_id):
        if found.status is CourseStatus.ACTIVE:
            course = await scope.course(found.id, lock=True)  # a booking of it waits, then sees
            sessions = await scope.calendar.sessions_of(course.id)
            upcoming = [s for s in sessions if s.status in UPCOMING and s.starts_at > now]
            stopping.append((course, upcoming))
    cancelling = sum(len(upcoming) for _, upcoming in stopping)
    action = scope.action(cancelling) if cancelling else None
    for course, upcoming in stopping:
        await _stop(scope, course, upcoming, action, reason)


async def _stop(
    scope: Scope, course: Course, upcoming: list[Session], action: Action | None, reason: str
) -> None:
    """Cancel the course's `upcoming` sessions as part of `action`, then abandon it."""
    for session in upcoming:
        session = replace(session, revision=session.revision + 1)
        await scope.calendar.update_session(
            session.id,
            scope.clinic.now,
            status=SessionStatus.CANCELLED,
            cancel_reason=reason,
            revision=session.revision,
        )
        scope.uow.emit(SessionCancelled(**facts(session, course, action=action), reason=reason))
    cancelled = [s.id for s in upcoming]
    await scope.record("session", cancelled, "cancelled", ("status", "cancel_reason"))
    await scope.calendar.set_course_status(course.id, CourseStatus.ABANDONED)
    await scope.record("course", course.id, "abandoned", ("status",))
    scope.uow.emit(CourseAbandoned(**_course_facts(course)))


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
    prescription: Prescription
    overrides: list[Override]

    @property
    def interval_broken(self) -> bool:
        """A gap that is neither filled nor accepted by staff."""
        return any(g.acceptance is None for g in self.gaps)


async def view(scope: Scope, course: Course) -> CourseView:
    sessions = await scope.calendar.sessions_of(course.id)
    found = await gaps_of(scope, course, sessions)
    return CourseView(
        course,
        sessions,
        await next_window(scope, course, sessions, found),
        found,
        prescription_of(course, await scope.treatment(course.treatment_code)),
        list((await scope.prescriptions.overrides(course.id)).values()),
    )


async def read_course(scope: Scope, course_id: uuid.UUID) -> CourseView:
    """The course as answered; NotTheirPatient to a practitioner who does not treat its patient."""
    course = await scope.course(course_id)
    await check_treats(scope, course.patient_id)
    return await view(scope, course)


async def courses_of(scope: Scope, patient_id: uuid.UUID) -> list[CourseView]:
    """The patient's courses, oldest first; NotTheirPatient to a practitioner who does not
    treat the patient."""
    await check_treats(scope, patient_id)
    return [await view(scope, c) for c in await scope.calendar.courses_of(patient_id)]


async def next_window(
    scope: Scope, course: Course, sessions: list[Session], found: list[GapView]
) -> Window | None:
    """The days the next unbooked session may fall on: in the first gap not accepted, when
    there is one, else after the last session; None when nothing is left to book."""
    active = [s for s in sessions if s.active]
    if course.status is not CourseStatus.ACTIVE or len(active) >= course.sessions_planned:
        return None
    treatment = await scope.course_treatment(course)
    if gap := next((g.gap for g in found if g.acceptance is None), None):
        return fill_window(treatment, scope.clinic.zone, gap.before.starts_at, gap.after.starts_at)
    last = max((s.starts_at for s in active), default=None)
    floor = await maintenance_floor(scope, course)
    window = rules.interval_window(treatment, scope.clinic.zone, last)
    return not_before(window, floor.day if floor else None)


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
    treatment = await scope.course_treatment(course)
    every = await scope.calendar.sessions_of(course.id)
    sessions = [s for s in every if s.active]
    remaining = course.sessions_planned - len(sessions)
    if remaining <= 0:
        return []
    await check_conditions(scope, course, treatment)
    gaps = [g.gap for g in await gaps_of(scope, course, every) if g.acceptance is None]
    today = rules.local_day(now, zone)
    first_day = max(options.first_day or today, today)
    floor = await maintenance_floor(scope, course)  # not before the pause after the last course
    if floor is not None:
        first_day = max(first_day, floor.day)
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
        time_off=await absences(scope, course.practitioner_id, span_start, span_end),
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
                    after_others=True,
                )
            )
        except AppError as exc:
            raise relabel(exc, f"body.sessions[{index}].starts_at", index=index) from None
    return booked
