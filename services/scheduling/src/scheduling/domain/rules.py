"""The booking rules, each a pure function: time is passed in, the clinic's zone too."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduling.domain.errors import (
    ClinicClosed,
    IntervalViolation,
    OutsideHorizon,
    OutsideWorkingHours,
    PractitionerAway,
    StartsInThePast,
)
from scheduling.domain.model import AbsenceKind, Session, TimeOff, Treatment, Window, WorkingHours

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HORIZON = timedelta(days=730)
"""How far ahead the clinic books, plans and records time off by default: two years."""


def check_horizon(instant: datetime, now: datetime, horizon: timedelta, field: str) -> None:
    """Refuse an instant before 1970 or past `now + horizon`: before any arithmetic on it, which
    could overflow (year 1 or 9999), and before the database sees it."""
    latest = now + horizon
    if not EPOCH <= instant <= latest:
        raise OutsideHorizon(field, EPOCH, latest.astimezone(UTC))


def check_day_horizon(
    day: date, now: datetime, horizon: timedelta, zone: ZoneInfo, field: str
) -> None:
    """Refuse a clinic-local day before 1970 or past the horizon's last day."""
    latest = local_day(now + horizon, zone)
    if not EPOCH.date() <= day <= latest:
        raise OutsideHorizon(field, EPOCH.date(), latest)


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def shift_days(instant: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The same clinic-local time of day, `days` calendar days later (DST-proof)."""
    local = instant.astimezone(zone)
    moved = datetime.combine(
        local.date() + timedelta(days=days), local.timetz().replace(tzinfo=None)
    )
    return moved.replace(tzinfo=zone).astimezone(instant.tzinfo)


def neighbours(
    sessions: Iterable[Session], starts_at: datetime, *, excluding: object = None
) -> tuple[Session | None, Session | None]:
    """The course's active sessions just before and just after `starts_at`."""
    before = after = None
    for s in sorted((s for s in sessions if s.active and s.id != excluding), key=_start):
        if s.starts_at <= starts_at:
            before = s
        elif after is None:
            after = s
    return before, after


def _start(session: Session) -> datetime:
    return session.starts_at


def interval_window(
    treatment: Treatment,
    zone: ZoneInfo,
    previous: datetime | None,
    following: datetime | None = None,
) -> Window:
    """The days allowed after the previous active session's start and before the next one's."""
    earliest = latest = None
    if previous is not None:
        day = local_day(previous, zone)
        earliest = day + timedelta(days=treatment.min_interval_days)
        latest = day + timedelta(days=treatment.max_interval_days)
    if following is not None:
        day = local_day(following, zone)
        lo = day - timedelta(days=treatment.max_interval_days)
        hi = day - timedelta(days=treatment.min_interval_days)
        earliest = lo if earliest is None else max(earliest, lo)
        latest = hi if latest is None else min(latest, hi)
    return Window(earliest, latest)


def check_interval(starts_at: datetime, window: Window, zone: ZoneInfo) -> None:
    if window.empty or not window.contains(local_day(starts_at, zone)):
        raise IntervalViolation(window)


def check_not_past(starts_at: datetime, now: datetime) -> None:
    if starts_at < now:
        raise StartsInThePast(starts_at)


def within_hours(
    starts_at: datetime, ends_at: datetime, hours: Sequence[WorkingHours], zone: ZoneInfo
) -> bool:
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if start.date() != end.date():
        return False
    return any(
        h.weekday == start.weekday() and h.start <= start.time() and end.time() <= h.end
        for h in hours
    )


def check_hours(
    starts_at: datetime, ends_at: datetime, hours: Sequence[WorkingHours], zone: ZoneInfo
) -> None:
    if not within_hours(starts_at, ends_at, hours, zone):
        raise OutsideWorkingHours(starts_at, hours, zone)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open ranges: a session ending at 10:00 does not overlap one starting at 10:00."""
    return a_start < b_end and b_start < a_end


def check_time_off(starts_at: datetime, ends_at: datetime, time_off: Iterable[TimeOff]) -> None:
    """Refuse a slot inside the practitioner's time off, or while the clinic is closed."""
    for away in time_off:
        if overlaps(starts_at, ends_at, away.starts_at, away.ends_at):
            if away.kind is AbsenceKind.TIME_OFF:
                raise PractitionerAway(away)
            raise ClinicClosed(away)
