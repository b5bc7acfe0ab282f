"""The agenda's data: sessions in a range with their patient, practitioner and room names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from clinic_shared.auth import Role
from dashboard.clients import Services
from dashboard.i18n import N_, _

STATUS_LABELS = {
    "booked": N_("Booked"),
    "confirmed": N_("Confirmed by patient"),
    "completed": N_("Completed"),
    "no_show": N_("No-show"),
    "cancelled": N_("Cancelled"),
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
        return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status

    @property
    def upcoming(self) -> bool:
        return self.session["status"] in UPCOMING

    def recordable(self, now: datetime) -> bool:
        """Still to record and started: scheduling completes a session, or marks it missed,
        only once it has started."""
        return self.upcoming and datetime.fromisoformat(self.session["starts_at"]) <= now


@dataclass(frozen=True)
class AgendaGroup:
    name: str
    rows: list[AgendaRow]
    mine: bool = False  # the signed-in practitioner's own sessions


def day_range(day: date, week: bool, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The clinic-local day, or the Monday-to-Sunday week holding it."""
    start = day - timedelta(days=day.weekday()) if week else day
    first = datetime.combine(start, time(), zone)
    return first, datetime.combine(start + timedelta(days=7 if week else 1), time(), zone)


async def load_agenda(
    services: Services,
    start: datetime,
    end: datetime,
    by: str,
    mine: uuid.UUID | None = None,
) -> list[AgendaGroup]:
    """The sessions from `start` to `end`, grouped by practitioner or by room: one request to
    scheduling's agenda, which names each session's patient, treatment, practitioner and room
    (a week is hundreds of sessions, once looked up a course and a patient at a time). By
    practitioner, the group of practitioner `mine` (the signed-in one's) comes first."""
    window = {"from": start.isoformat(), "to": end.isoformat()}
    entries = await services.scheduling.get("/v1/agenda", **window)
    rows = [
        AgendaRow(
            session=entry,
            patient=entry["patient_name"] or "—",  # a stock manager sees no names
            treatment=entry["treatment_name"],
            practitioner=entry["practitioner_name"],
            room=entry["room_name"],
        )
        for entry in entries
    ]
    return grouped(rows, by, mine)


def grouped(rows: list[AgendaRow], by: str, mine: uuid.UUID | None = None) -> list[AgendaGroup]:
    """The rows by room or practitioner, by name; by practitioner, `mine`'s group first."""
    if by == "room" or mine is None:
        return _grouped(rows, by)
    own: list[AgendaRow] = []
    others: list[AgendaRow] = []
    for row in rows:
        (own if row.session["practitioner_id"] == str(mine) else others).append(row)
    first = [AgendaGroup(own[0].practitioner, own, mine=True)] if own else []
    return first + _grouped(others, by)


def _grouped(rows: list[AgendaRow], by: str) -> list[AgendaGroup]:
    groups: dict[str, list[AgendaRow]] = {}
    for row in rows:
        groups.setdefault(row.room if by == "room" else row.practitioner, []).append(row)
    return [AgendaGroup(name, groups[name]) for name in sorted(groups)]
