"""Planning the rest of a course: every session at a valid slot, each one checked."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling.domain.gaps import fill_window, too_far
from scheduling.domain.model import Session, TimeOff, Treatment, Window, WorkingHours
from scheduling.domain.rules import interval_window, overlaps, within_hours

SLOT_STEP = timedelta(minutes=15)
RoomChooser = Callable[[datetime, datetime], uuid.UUID | None]
"""Gives a free room for the slot, or None."""


@dataclass(frozen=True)
class PlanRequest:
    first_day: date
    sessions_to_plan: int
    next_sequence: int
    weekdays: frozenset[int] = frozenset()  # preferred; other days only when none fits
    time_of_day: time | None = None  # preferred; other times only when it does not fit
    last_day: date | None = None  # the booking horizon's: nothing is proposed after it
    booked: tuple[datetime, ...] = ()  # the course's active sessions: a proposal's rank
    gaps: tuple[tuple[datetime, datetime], ...] = ()  # to fill first: (before, after) starts


@dataclass(frozen=True)
class ProposedSession:
    sequence: int
    starts_at: datetime
    ends_at: datetime
    room_id: uuid.UUID


class NoSlot(Exception):
    def __init__(
        self, sequence: int, first: date | None, last: date | None, *, in_gap: bool = False
    ) -> None:
        super().__init__(sequence, first, last)
        self.sequence, self.first, self.last, self.in_gap = sequence, first, last, in_gap


@dataclass(frozen=True)
class Calendar:
    """What a plan must respect: the practitioner's week, absences and sessions, the patient's
    sessions (of any course), the rooms."""

    zone: ZoneInfo
    hours: Sequence[WorkingHours]
    time_off: Sequence[TimeOff]
    practitioner_busy: Sequence[tuple[datetime, datetime]]
    patient_busy: Sequence[tuple[datetime, datetime]]
    free_room: RoomChooser


def plan_course(
    request: PlanRequest,
    treatment: Treatment,
    calendar: Calendar,
    previous: Session | None,
    now: datetime,
) -> list[ProposedSession]:
    """Propose the sessions that fill the course's gaps, from each gap's start, then the next
    sessions after its last one, each within the interval after the one before."""
    proposals: list[ProposedSession] = []
    for before, after in request.gaps:
        last = before
        while len(proposals) < request.sessions_to_plan and too_far(
            treatment, calendar.zone, last, after
        ):
            window = fill_window(treatment, calendar.zone, last, after)
            found = _next(request, treatment, calendar, window, last, now, proposals, gap=True)
            last = found.starts_at
    after_last = previous.starts_at if previous else None
    while len(proposals) < request.sessions_to_plan:
        window = interval_window(treatment, calendar.zone, after_last)
        found = _next(request, treatment, calendar, window, after_last, now, proposals)
        after_last = found.starts_at
    return proposals


def _next(
    request: PlanRequest,
    treatment: Treatment,
    calendar: Calendar,
    window: Window,
    last: datetime | None,
    now: datetime,
    proposals: list[ProposedSession],
    *,
    gap: bool = False,
) -> ProposedSession:
    """The first free slot in `window` (and the request's days), appended to `proposals`. Its
    number: its rank among the booked sessions and the proposals before it."""
    later = sum(b > last for b in request.booked) if last else 0
    sequence = request.next_sequence - later + len(proposals)
    first = max(filter(None, (window.earliest, request.first_day)))
    last_day = window.latest or first + timedelta(days=treatment.max_interval_days)
    if request.last_day is not None:
        last_day = min(last_day, request.last_day)
    found = _first_fit(request, treatment, calendar, first, last_day, now, sequence)
    if found is None:
        raise NoSlot(sequence, first, last_day, in_gap=gap)
    proposals.append(found)
    return found


def _first_fit(
    request: PlanRequest,
    treatment: Treatment,
    calendar: Calendar,
    first: date,
    last: date,
    now: datetime,
    sequence: int,
) -> ProposedSession | None:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    preferred = [d for d in days if d.weekday() in request.weekdays] if request.weekdays else []
    for day in preferred + [d for d in days if d not in preferred]:
        for start in _candidate_starts(day, request.time_of_day, calendar):
            end = start + timedelta(minutes=treatment.session_minutes)
            if start >= now and _free(start, end, calendar):
                room = calendar.free_room(start, end)
                if room is not None:
                    return ProposedSession(sequence, start, end, room)
    return None


def _candidate_starts(day: date, preferred: time | None, calendar: Calendar) -> list[datetime]:
    starts: list[datetime] = []
    if preferred is not None:
        starts.append(datetime.combine(day, preferred, tzinfo=calendar.zone))
    for hours in (h for h in calendar.hours if h.weekday == day.weekday()):
        slot = datetime.combine(day, hours.start, tzinfo=calendar.zone)
        close = datetime.combine(day, hours.end, tzinfo=calendar.zone)
        while slot < close:
            starts.append(slot)
            slot += SLOT_STEP
    return starts


def _free(start: datetime, end: datetime, calendar: Calendar) -> bool:
    if not within_hours(start, end, calendar.hours, calendar.zone):
        return False
    if any(overlaps(start, end, t.starts_at, t.ends_at) for t in calendar.time_off):
        return False
    return not any(
        overlaps(start, end, b, e)
        for busy in (calendar.practitioner_busy, calendar.patient_busy)
        for b, e in busy
    )


def free_starts(
    days: Sequence[date], treatment: Treatment, calendar: Calendar, now: datetime
) -> list[datetime]:
    """Every start on `days`, a slot step apart, where the whole session fits the hours and
    nothing else holds the practitioner, the patient or a room."""
    found = []
    for day in days:
        for start in _candidate_starts(day, None, calendar):
            end = start + timedelta(minutes=treatment.session_minutes)
            if start >= now and _free(start, end, calendar) and calendar.free_room(start, end):
                found.append(start)
    return found
