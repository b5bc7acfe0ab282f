"""Time off and closures over a span, with the booked sessions they touch, as scheduling keeps
them; and the day-and-time fields of the forms that add them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.agenda import UPCOMING
from dashboard.clients import Services
from dashboard.days import moment_in_reach
from dashboard.i18n import N_

SPAN = timedelta(days=56)  # eight weeks: within scheduling's 62-day listing
NOT_A_MOMENT = N_("Choose a day and a time.")


@dataclass(frozen=True)
class Absences:
    closures: list[dict[str, Any]]  # the clinic's closures and the holidays it keeps closed
    time_off: list[dict[str, Any]]  # each with the practitioner's name
    touched: list[dict[str, Any]]  # booked sessions under one of them, from the agenda


def span(first: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time(), zone)
    return start, start + SPAN


async def load_absences(services: Services, start: datetime, end: datetime) -> Absences:
    window = {"from": start.isoformat(), "to": end.isoformat()}
    closed, away, practitioners, agenda = await asyncio.gather(
        services.scheduling.get("/v1/closures", **window),
        services.scheduling.get("/v1/time-off", **window),
        services.scheduling.get("/v1/practitioners"),
        services.scheduling.get("/v1/agenda", **window),
    )
    names = {p["id"]: p["name"] for p in practitioners}
    time_off = [t | {"practitioner": names.get(t["practitioner_id"], "—")} for t in away]
    touched = [s for s in agenda if s["closure_conflict"] and s["status"] in UPCOMING]
    return Absences(closed, time_off, touched)


def moment(value: str, zone: ZoneInfo) -> datetime | None:
    """A `datetime-local` field's value in the clinic's zone, or None when it is not one."""
    try:
        parsed = moment_in_reach(datetime.fromisoformat(value.strip()))
    except ValueError:
        return None
    return None if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
