"""The calendar's grid, as pure functions: working hours, absences and closures as background
blocks, sessions as events, and which days a course's next session may fall on (and why not)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.agenda import AgendaRow
from dashboard.i18n import N_, _, strftime
from dashboard.wording import closure_flag

DAY_START, DAY_END = time(8), time(20)  # the hours the grid shows
NOT_WORKING = (  # whole sentences: a weekday's name alone reads wrong in French's plural
    N_("%(name)s does not work on Mondays."),
    N_("%(name)s does not work on Tuesdays."),
    N_("%(name)s does not work on Wednesdays."),
    N_("%(name)s does not work on Thursdays."),
    N_("%(name)s does not work on Fridays."),
    N_("%(name)s does not work on Saturdays."),
    N_("%(name)s does not work on Sundays."),
)


@dataclass(frozen=True)
class Hours:
    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Away:
    starts_at: datetime
    ends_at: datetime
    reason: str
    label: str = N_("Away")  # "Clinic closed", "Public holiday": the clinic's, over every column


@dataclass(frozen=True)
class Resource:
    id: str
    title: str
    hours: tuple[Hours, ...]
    away: tuple[Away, ...] = ()


def floating(moment: datetime, zone: ZoneInfo) -> str:
    """An instant as the clinic's wall-clock time without offset, as the grid shows it."""
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")


def days_between(first: date, end: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((end - first).days)]


Block = dict[str, Any]


def _block(resource: Resource, day: date, start: time, end: time, kind: str, text: str) -> Block:
    return {
        "resourceIds": [resource.id],
        "start": datetime.combine(day, start).isoformat(timespec="minutes"),
        "end": datetime.combine(day, end).isoformat(timespec="minutes"),
        "display": "background",
        "classNames": [f"cal-{kind}"],
        "extendedProps": {"reason": text},
    }


def background(
    resources: Sequence[Resource], days: Iterable[date], closed: str, zone: ZoneInfo
) -> list[Block]:
    """Per resource and day: its open hours (free where no session sits), the rest of the day
    greyed, and each absence over it with its reason."""
    blocks: list[Block] = []
    for day in days:
        for resource in resources:
            hours = sorted(
                (h for h in resource.hours if h.weekday == day.weekday()), key=lambda h: h.start
            )
            if not hours:
                blocks.append(_block(resource, day, DAY_START, DAY_END, "closed", closed))
                continue
            edge = DAY_START
            for h in hours:
                if edge < h.start:
                    blocks.append(_block(resource, day, edge, h.start, "closed", _("Closed")))
                blocks.append(_block(resource, day, h.start, h.end, "open", _("Free")))
                edge = max(edge, h.end)
            if edge < DAY_END:
                blocks.append(_block(resource, day, edge, DAY_END, "closed", _("Closed")))
    for resource in resources:
        for away in resource.away:
            label = _(away.label)
            text = f"{label}: {away.reason}" if away.reason else label
            blocks.append(
                {
                    "resourceIds": [resource.id],
                    "start": floating(away.starts_at, zone),
                    "end": floating(away.ends_at, zone),
                    "display": "background",
                    "classNames": ["cal-away"],
                    "extendedProps": {"reason": text},
                }
            )
    return blocks


def session_event(row: AgendaRow, resource_id: str, zone: ZoneInfo, movable: bool) -> Block:
    """A session on the grid: coloured by status, marked when its stock is at risk or an
    absence was recorded over it."""
    s = row.session
    at_risk = bool(s.get("stock_at_risk")) and row.upcoming
    number = (
        s["sequence"]
        if s.get("sequence") is not None
        else _("was %(number)s") % {"number": s.get("was_sequence")}
    )
    title = f"{row.patient} · {row.treatment} ({number}) · {row.status_label}"
    if row.upcoming and s.get("closure_conflict"):  # time off or a closure recorded over it
        title += f" · ⚠ {closure_flag(s['closure_conflict'])}"
    return {
        "id": str(s["id"]),
        "resourceIds": [resource_id],
        "start": floating(datetime.fromisoformat(s["starts_at"]), zone),
        "end": floating(datetime.fromisoformat(s["ends_at"]), zone),
        "title": title + (f" · ⚠ {_('Stock at risk')}" if at_risk else ""),
        "editable": movable and row.upcoming,
        "classNames": ["cal-session", f"cal-{s['status']}"] + (["cal-at-risk"] if at_risk else []),
        "extendedProps": {"status": s["status"], "at_risk": at_risk, "course_id": s["course_id"]},
    }


@dataclass(frozen=True)
class NextSession:
    """What the day check needs of a course: its window, its last session, its practitioner."""

    sequence: int
    earliest: date | None
    latest: date | None
    last_day: date | None
    min_days: int
    max_days: int
    practitioner: Resource


def day_refusal(day: date, today: date, course: NextSession) -> str:
    """Why the course's next session may not fall on `day`; empty when it may."""
    last = strftime(course.last_day, "%a %d %b") if course.last_day else ""
    who = course.practitioner
    if day < today:
        return _("That day is in the past.")
    if course.earliest and day < course.earliest:
        return _(
            "Too soon: session %(number)s comes at least %(days)s days after the last one "
            "(%(last)s)."
        ) % {"number": course.sequence, "days": course.min_days, "last": last}
    if course.latest and day > course.latest:
        return _(
            "Too late: session %(number)s comes at most %(days)s days after the last one "
            "(%(last)s)."
        ) % {"number": course.sequence, "days": course.max_days, "last": last}
    if not any(h.weekday == day.weekday() for h in who.hours):
        return _(NOT_WORKING[day.weekday()]) % {"name": who.title}
    return ""


def course_days(days: Iterable[date], today: date, course: NextSession) -> list[dict[str, str]]:
    return [
        {
            "day": d.isoformat(),
            "label": strftime(d, "%a %d %b"),
            "refusal": day_refusal(d, today, course),
        }
        for d in days
    ]
