"""Reports over a span of clinic-local days: utilisation, attendance, course adherence."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from clinic_shared.report_range import check_report_range
from scheduling.domain import rules
from scheduling.service_layer.scope import Scope


@dataclass(frozen=True)
class Span:
    first: date
    last: date
    start: datetime  # the first day's midnight, clinic time
    end: datetime  # the midnight after the last day


def span_of(scope: Scope, first: date, last: date) -> Span:
    """The days `first` to `last` (inclusive), within the horizon and at most a year and a day."""
    clinic = scope.clinic
    rules.check_day_horizon(first, clinic.now, clinic.horizon, clinic.zone, "query.from")
    rules.check_day_horizon(last, clinic.now, clinic.horizon, clinic.zone, "query.to")
    check_report_range(first, last)
    start = datetime.combine(first, time(), clinic.zone)
    end = datetime.combine(last + timedelta(days=1), time(), clinic.zone)
    return Span(first, last, start, end)


def share(part: float, whole: float) -> float | None:
    """`part` over `whole`, rounded to 4 places; None when there is no whole to share."""
    return round(part / whole, 4) if whole else None


def _utilised(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "available_minutes": round(float(r["available"])),
            "booked_minutes": round(float(r["booked"])),
            "utilisation": share(float(r["booked"]), float(r["available"])),
        }
        for r in rows
    ]


async def utilisation(scope: Scope, span: Span, who: uuid.UUID | None) -> dict[str, Any]:
    """Per practitioner, booked session time over working hours less time off; per room, over
    the clinic's opening (each weekday from the earliest start to the latest end of anyone's
    hours)."""
    reports = scope.reports
    bounds = (span.first, span.last, span.start, span.end)
    practitioners = await reports.practitioner_utilisation(bounds, who, scope.clinic.zone.key)
    rooms = await reports.room_utilisation(span.first, span.last, span.start, span.end, who)
    return {"practitioners": _utilised(practitioners), "rooms": _utilised(rooms)}


async def attendance(scope: Scope, span: Span, who: uuid.UUID | None) -> list[dict[str, Any]]:
    """Per practitioner, the span's sessions and the shares missed (no-show) and cancelled."""
    rows = await scope.reports.attendance(span.start, span.end, who)
    return [
        r
        | {
            "no_show_rate": share(r["no_shows"], r["sessions"]),
            "cancellation_rate": share(r["cancelled"], r["sessions"]),
        }
        for r in rows
    ]


async def adherence(scope: Scope, span: Span, who: uuid.UUID | None) -> list[dict[str, Any]]:
    """Per practitioner (the course's), the share of intervals ending in the span that fall
    within the course's bounds, and the courses that ended in it, completed or abandoned."""
    zone = scope.clinic.zone.key
    by_id: dict[uuid.UUID, dict[str, Any]] = {}
    for r in await scope.reports.intervals(span.start, span.end, who, zone):
        by_id[r["id"]] = _adherence_row(r["id"], r["name"]) | r
    for r in await scope.reports.ended_courses(span.start, span.end, who):
        by_id[r["id"]] = by_id.get(r["id"], _adherence_row(r["id"], r["name"])) | r
    rows = sorted(by_id.values(), key=lambda r: (r["name"], str(r["id"])))
    return [r | {"within_rate": share(r["within"], r["intervals"])} for r in rows]


def _adherence_row(id_: uuid.UUID, name: str) -> dict[str, Any]:
    return {"id": id_, "name": name, "intervals": 0, "within": 0, "completed": 0, "abandoned": 0}
