"""Moving a session, and with it, when asked, every later session of its course."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from clinic_shared.contracts.events import SessionRescheduled
from clinic_shared.errors import AppError
from scheduling.domain import closures, rules
from scheduling.domain.errors import WrongState
from scheduling.domain.model import (
    UPCOMING,
    CourseStatus,
    Session,
    SessionStatus,
    TimeOff,
    Treatment,
    Window,
)
from scheduling.domain.moves import check_move, move_window
from scheduling.domain.prescriptions import not_before
from scheduling.service_layer.closures import absences
from scheduling.service_layer.placement import check_slot, is_overlap, overlap_refused
from scheduling.service_layer.prescriptions import check_course_dates, maintenance_floor
from scheduling.service_layer.scope import Scope, facts, relabel


async def reschedule(
    scope: Scope, *, session_id: uuid.UUID, starts_at: datetime, shift_following: bool = False
) -> list[Session]:
    """Move a session; with `shift_following`, later ones move by as many days. All or nothing."""
    clinic = scope.clinic
    rules.check_horizon(starts_at, clinic.now, clinic.horizon, "body.starts_at")
    starts_at = starts_at.astimezone(UTC)  # as the database gives every session back
    target = await scope.session(session_id)
    course = await scope.course(target.course_id, lock=True)
    target = await scope.session(session_id, lock=True)
    if target.status not in UPCOMING:
        raise WrongState(f"A {target.status.value} session cannot be moved.")
    if course.status is not CourseStatus.ACTIVE:
        raise WrongState(f"The course is {course.status.value}; its sessions stay where they are.")
    treatment = await scope.course_treatment(course)
    sessions = await scope.calendar.sessions_of(course.id)
    zone = scope.clinic.zone
    days = (rules.local_day(starts_at, zone) - rules.local_day(target.starts_at, zone)).days
    later = [s for s in sessions if s.status in UPCOMING and s.starts_at > target.starts_at]
    moving = [target, *later] if shift_following else [target]
    new_starts = {target.id: starts_at} | {
        s.id: rules.shift_days(s.starts_at, days, zone) for s in moving[1:]
    }
    moved = await _checked_moves(scope, treatment, sessions, moving, new_starts)
    # a calendar keeps the highest SEQUENCE: each move is a new revision (the course is locked)
    moved = [
        replace(new, revision=old.revision + 1) for old, new in zip(moving, moved, strict=True)
    ]
    # the later sessions move by as many days: the first one moved is the earliest
    await check_course_dates(scope, course, [starts_at], ["body.starts_at"])
    # Move the far end first so no session lands on a slot another moved one still holds.
    for old, new in sorted(
        zip(moving, moved, strict=True), key=lambda p: p[0].starts_at, reverse=days > 0
    ):
        try:
            # The patient confirmed the old time, not this one: ask again.
            await scope.calendar.update_session(
                old.id,
                scope.clinic.now,
                starts_at=new.starts_at,
                ends_at=new.ends_at,
                status=SessionStatus.BOOKED,
                confirmed_at=None,
                rescheduled_at=scope.clinic.now,
                closure_conflict=None,  # it stands clear of every absence now
                revision=new.revision,
            )
        except IntegrityError as exc:
            if is_overlap(exc):
                raise await overlap_refused(scope, exc, new) from exc
            raise
    await scope.record("session", [s.id for s in moving], "rescheduled", ("starts_at", "ends_at"))
    numbers = await scope.renumber(course, announced={s.id for s in moving})
    action = scope.action(len(moving))  # one move, with the later sessions: one confirmation
    for old, new in zip(moving, moved, strict=True):
        scope.uow.emit(
            SessionRescheduled(
                **facts(new, course, numbers[new.id], action), previous_starts_at=old.starts_at
            )
        )
    return [
        replace(new, sequence=numbers[new.id], status=SessionStatus.BOOKED, closure_conflict=None)
        for new in moved
    ]


@dataclass(frozen=True)
class MoveWindows:
    """Where a session may move: alone, with the later sessions, and the days of either
    window (from today to the horizon) on which it may not, at its time of day."""

    alone: Window
    shift_following: Window
    closed: list[tuple[date, TimeOff]]


async def move_windows(scope: Scope, session_id: uuid.UUID) -> MoveWindows:
    """The days a session may move to: alone (between its neighbours), and with the later
    sessions shifted along (after the previous one only); a gap beside it may narrow. The
    days inside the practitioner's time off, a closure or a closed holiday are named."""
    target = await scope.session(session_id)
    course = await scope.course(target.course_id)
    treatment = await scope.course_treatment(course)
    sessions = await scope.calendar.sessions_of(course.id)
    zone = scope.clinic.zone
    floor = await maintenance_floor(scope, course)
    first = floor.day if floor else None
    alone, shifting = (
        not_before(move_window(treatment, zone, sessions, target, shift_following=s), first)
        for s in (False, True)
    )
    return MoveWindows(alone, shifting, await _closed_days(scope, target, (alone, shifting)))


async def _closed_days(
    scope: Scope, target: Session, windows: tuple[Window, Window]
) -> list[tuple[date, TimeOff]]:
    clinic = scope.clinic
    today = rules.local_day(clinic.now, clinic.zone)
    last_day = rules.local_day(clinic.now + clinic.horizon, clinic.zone)
    days = sorted(
        {
            day
            for window in windows
            if not window.empty
            for day in _days(
                max(window.earliest or today, today), min(window.latest or last_day, last_day)
            )
        }
    )
    if not days:
        return []
    start = closures.whole_day(days[0], clinic.zone)[0]
    end = closures.whole_day(days[-1], clinic.zone)[1]
    away = await absences(scope, target.practitioner_id, start, end)
    return closures.closed_days(target, days, away, clinic.zone)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def _checked_moves(
    scope: Scope,
    treatment: Treatment,
    sessions: list[Session],
    moving: list[Session],
    new_starts: dict[uuid.UUID, datetime],
) -> list[Session]:
    ids = {s.id for s in moving}
    moved = []
    for index, session in enumerate(moving):
        try:
            ends_at = await check_slot(
                scope,
                treatment=treatment,
                patient_id=session.patient_id,
                practitioner_id=session.practitioner_id,
                room_id=session.room_id,
                starts_at=new_starts[session.id],
                moving=ids,
            )
        except AppError as exc:
            if index == 0:
                raise
            raise relabel(exc, "body.shift_following", session_id=str(session.id)) from None
        moved.append(replace(session, starts_at=new_starts[session.id], ends_at=ends_at))
    check_move(treatment, scope.clinic.zone, sessions, moving[0], new_starts)
    return moved
