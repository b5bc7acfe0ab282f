"""The agenda's data: sessions in a range with their patient, practitioner and room names."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from clinic_shared.auth import Role
from dashboard.clients import Services

STATUS_LABELS = {
    "booked": "Booked",
    "confirmed": "Confirmed by patient",
    "completed": "Completed",
    "no_show": "No-show",
    "cancelled": "Cancelled",
}
UPCOMING = frozenset({"booked", "confirmed"})
CLINICAL = frozenset({Role.ADMIN, Role.PRACTITIONER})  # complete, no-show
FRONT_DESK = frozenset({Role.ADMIN, Role.RECEPTIONIST})  # cancel, reschedule


@dataclass(frozen=True)
class AgendaRow:
    session: dict[str, Any]
    patient: str
    treatment: str
    practitioner: str
    room: str

    @property
    def status_label(self) -> str:
        status = str(self.session["status"])
        return STATUS_LABELS.get(status, status)

    @property
    def upcoming(self) -> bool:
        return self.session["status"] in UPCOMING


@dataclass(frozen=True)
class AgendaGroup:
    name: str
    rows: list[AgendaRow]


def day_range(day: date, week: bool, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The clinic-local day, or the Monday-to-Sunday week holding it."""
    start = day - timedelta(days=day.weekday()) if week else day
    first = datetime.combine(start, time(), zone)
    return first, datetime.combine(start + timedelta(days=7 if week else 1), time(), zone)


async def _by_id(services: Services, paths: set[str]) -> dict[str, dict[str, Any]]:
    ordered = sorted(paths)
    found = await asyncio.gather(*(services.scheduling.get(path) for path in ordered))
    return {str(item["id"]): item for item in found}


async def load_agenda(
    services: Services, start: datetime, end: datetime, by: str
) -> list[AgendaGroup]:
    """The sessions from `start` to `end`, grouped by practitioner or by room."""
    window = {"from": start.isoformat(), "to": end.isoformat()}
    sessions, practitioners, rooms, treatments = await asyncio.gather(
        services.scheduling.get_all("/v1/sessions", **window),
        services.scheduling.get("/v1/practitioners"),
        services.scheduling.get("/v1/rooms"),
        services.scheduling.get("/v1/treatments"),
    )
    treatment_names = {t["code"]: t["name"] for t in treatments}
    courses = await _by_id(services, {f"/v1/courses/{s['course_id']}" for s in sessions})
    patients = await _by_id(services, {f"/v1/patients/{c['patient_id']}" for c in courses.values()})
    names = {p["id"]: p["name"] for p in practitioners} | {r["id"]: r["name"] for r in rooms}
    rows = []
    for s in sorted(sessions, key=lambda s: s["starts_at"]):
        course = courses[s["course_id"]]
        patient = patients[course["patient_id"]]
        rows.append(
            AgendaRow(
                session=s,
                patient=f"{patient['first_name']} {patient['last_name']}",
                treatment=treatment_names.get(course["treatment_code"], course["treatment_code"]),
                practitioner=names.get(s["practitioner_id"], "?"),
                room=names.get(s["room_id"], "?"),
            )
        )
    return _grouped(rows, by)


def _grouped(rows: list[AgendaRow], by: str) -> list[AgendaGroup]:
    groups: dict[str, list[AgendaRow]] = {}
    for row in rows:
        groups.setdefault(row.room if by == "room" else row.practitioner, []).append(row)
    return [AgendaGroup(name, groups[name]) for name in sorted(groups)]
