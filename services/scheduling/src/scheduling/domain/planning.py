"""Planning the rest of a course: every session at a valid slot, each one checked."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling.domain.model import Session, TimeOff, Treatment, WorkingHours
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


@dataclass(frozen=True)
class ProposedSession:
    sequence: int
    starts_at: datetime
    ends_at: datetime
    room_id: uuid.UUID


class NoSlot(Exception):
    def __init__(self, sequence: int, first: date | None, last: date | None) -> None:
        super().__init__(sequence, first, last)
        self.sequence, self.first, self.last = sequence, first, last


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
    """Propose the next sessions in order, each within the interval after the one before."""
    proposals: list[ProposedSession] = []
    last = previous.starts_at if previous else None
    for offset in range(request.sessions_to_plan):
        sequence = request.next_sequence + offset
        window = interval_window(treatment, calendar.zone, last)
        first = max(filter(None, (window.earliest, request.first_day)))
        last_day = window.latest or first + timedelta(days=treatment.max_interval_days)
        if request.last_day is not None:
            last_day = min(last_day, request.last_day)
        found = _first_fit(request, treatment, calendar, first, last_day, now, sequence)
        if found is None:
            raise NoSlot(sequence, first, last_day)
        proposals.append(found)
        last = found.starts_at
    return proposals


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
