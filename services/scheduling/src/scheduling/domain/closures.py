"""When the clinic is closed: public holidays it keeps closed, and what covers a session."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling.domain.model import AbsenceKind, Session, TimeOff
from scheduling.domain.rules import overlaps, shift_days


def local_days(start: datetime, end: datetime, zone: ZoneInfo) -> list[date]:
    """The clinic-local days [start, end) touches."""
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def whole_day(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A clinic-local day as the instants [midnight, next midnight), DST-proof."""
    start = datetime.combine(day, time(), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)


def closed_holidays(
    holidays: Mapping[date, str], opened: Collection[date], zone: ZoneInfo
) -> list[TimeOff]:
    """Each public holiday the clinic has not chosen to open on, as a whole local day."""
    return [
        TimeOff(*whole_day(day, zone), reason=name, kind=AbsenceKind.HOLIDAY)
        for day, name in sorted(holidays.items())
        if day not in opened
    ]


def covering(session: Session, absences: Iterable[TimeOff]) -> TimeOff | None:
    """The first time off (of the session's practitioner) or closure the session lies in."""
    start, end = session.starts_at, session.ends_at
    return next((a for a in absences if overlaps(start, end, a.starts_at, a.ends_at)), None)


def describe(away: TimeOff) -> str:
    """The flag a session inside `away` carries, for staff to read."""
    what = {
        AbsenceKind.TIME_OFF: "inside the practitioner's time off",
        AbsenceKind.CLOSURE: "inside a closure of the clinic",
        AbsenceKind.HOLIDAY: "on a public holiday",
    }[away.kind]
    text = f"{what}: {away.reason}" if away.reason else what
    return text[:300]


def closed_days(
    session: Session, days: Iterable[date], absences: Iterable[TimeOff], zone: ZoneInfo
) -> list[tuple[date, TimeOff]]:
    """The days on which the session, moved there at its time of day, would fall inside time
    off, a closure or a closed holiday: each with the first absence that covers it."""
    start = session.starts_at.astimezone(zone)
    absences = list(absences)
    found = []
    for day in days:
        moved = shift_days(session.starts_at, (day - start.date()).days, zone)
        length = session.ends_at - session.starts_at
        away = covering(replace(session, starts_at=moved, ends_at=moved + length), absences)
        if away is not None:
            found.append((day, away))
    return found
