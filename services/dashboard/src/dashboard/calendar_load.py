"""The calendar's data from scheduling: its columns (practitioners or rooms) with their hours and
absences, its sessions, and a course's next session."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.agenda import load_agenda
from dashboard.calendar_grid import (
    Away,
    Hours,
    NextSession,
    Resource,
    background,
    days_between,
    session_event,
)
from dashboard.clients import Services
from dashboard.i18n import N_, _

CLOSED = {
    "practitioner": N_("Not working this day"),
    "room": N_("Clinic closed: nobody works this day"),
}


def _hours(rows: list[dict[str, Any]]) -> tuple[Hours, ...]:
    return tuple(
        Hours(h["weekday"], time.fromisoformat(h["start"]), time.fromisoformat(h["end"]))
        for h in rows
    )


async def practitioners(
    services: Services, start: datetime | None = None, end: datetime | None = None
) -> list[Resource]:
    """Every practitioner with their weekly hours and, given a range, their time off in it."""
    found = await services.scheduling.get("/v1/practitioners")
    hours = await asyncio.gather(
        *(services.scheduling.get(f"/v1/practitioners/{p['id']}/hours") for p in found)
    )
    away: list[dict[str, Any]] = []
    closed: tuple[Away, ...] = ()
    if start is not None and end is not None:
        window = {"from": start.isoformat(), "to": end.isoformat()}
        away, closed = await asyncio.gather(
            services.scheduling.get("/v1/time-off", **window), closures(services, start, end)
        )
    return [
        Resource(
            id=str(p["id"]),
            title=p["name"],
            hours=_hours(h),
            away=tuple(_away(a) for a in away if a["practitioner_id"] == p["id"]) + closed,
        )
        for p, h in zip(found, hours, strict=True)
    ]


CLOSURE_LABELS = {"closure": N_("Clinic closed"), "holiday": N_("Public holiday")}


def _away(row: dict[str, Any], label: str = N_("Away")) -> Away:
    return Away(
        datetime.fromisoformat(row["starts_at"]),
        datetime.fromisoformat(row["ends_at"]),
        row["reason"],
        label,
    )


async def closures(services: Services, start: datetime, end: datetime) -> tuple[Away, ...]:
    """The clinic's closures and the public holidays it keeps closed over the range: every
    column shows them."""
    window = {"from": start.isoformat(), "to": end.isoformat()}
    found = await services.scheduling.get("/v1/closures", **window)
    return tuple(_away(c, CLOSURE_LABELS[c["kind"]]) for c in found)


async def rooms(
    services: Services, start: datetime | None = None, end: datetime | None = None
) -> list[Resource]:
    """Every room, open whenever some practitioner works (the clinic's hours), with the
    clinic's closures over the range, given one."""
    found, staff = await asyncio.gather(
        services.scheduling.get("/v1/rooms"), practitioners(services)
    )
    clinic_hours = tuple(sorted({h for p in staff for h in p.hours}, key=_hour_key))
    closed = await closures(services, start, end) if start and end else ()
    return [
        Resource(id=str(r["id"]), title=r["name"], hours=clinic_hours, away=closed) for r in found
    ]


def _hour_key(h: Hours) -> tuple[int, time]:
    return h.weekday, h.start


async def resources(
    services: Services, by: str, start: datetime | None = None, end: datetime | None = None
) -> list[Resource]:
    if by == "room":
        return await rooms(services, start, end)
    return await practitioners(services, start, end)


async def load_calendar(
    services: Services, first: date, end: date, by: str, zone: ZoneInfo, movable: bool
) -> dict[str, Any]:
    """The grid from `first` to `end` (excluded): background blocks and sessions."""
    start_at, end_at = (datetime.combine(d, time(), zone) for d in (first, end))
    columns, groups = await asyncio.gather(
        resources(services, by, start_at, end_at),
        load_agenda(services, start_at, end_at, by),
    )
    key = "room_id" if by == "room" else "practitioner_id"
    events = background(columns, days_between(first, end), _(CLOSED[by]), zone)
    for group in groups:
        for row in group.rows:
            if row.session["status"] != "cancelled":
                events.append(session_event(row, str(row.session[key]), zone, movable))
    return {"resources": [{"id": r.id, "title": r.title} for r in columns], "events": events}


async def next_session(
    services: Services, course_id: uuid.UUID, zone: ZoneInfo
) -> NextSession | None:
    """The course's next session to book, or None when nothing is left to book."""
    course = await services.scheduling.get(f"/v1/courses/{course_id}")
    window = course.get("next_window")
    if window is None:
        return None
    treatment, staff = await asyncio.gather(
        services.scheduling.get(f"/v1/treatments/{course['treatment_code']}"),
        practitioners(services),
    )
    active = [s for s in course["sessions"] if s["status"] in {"booked", "confirmed", "completed"}]
    earliest = date.fromisoformat(window["earliest"]) if window["earliest"] else None
    # The sessions before the window: all of them, or those before a gap it fills.
    before = sorted(
        day
        for day in (datetime.fromisoformat(s["starts_at"]).astimezone(zone).date() for s in active)
        if earliest is None or day < earliest
    )
    who = next(p for p in staff if p.id == str(course["practitioner_id"]))
    return NextSession(
        sequence=len(before) + 1,
        earliest=earliest,
        latest=date.fromisoformat(window["latest"]) if window["latest"] else None,
        last_day=before[-1] if before else None,
        min_days=treatment["min_interval_days"],
        max_days=treatment["max_interval_days"],
        practitioner=who,
    )
