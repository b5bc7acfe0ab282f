"""A clinic to book into: staff and rooms through scheduling's API, courses straight into its table.

Lanes of one practitioner, one room and one patient each (a patient is in one session at a
time); booking i goes to lane i % lanes at the next free half hour between 07:00 and 21:00
clinic time, on a course of its own (so no interval rule and no overlap refuses it), on the
days the clinic is open: public holidays of its country are skipped, as scheduling refuses them.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import holidays
import httpx

from clinic_shared.auth import Role, mint_token
from clinic_shared.settings import ServiceSettings
from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET

ZONE = ZoneInfo("Europe/Paris")
TREATMENT = "cellulite-arms"
SLOTS_PER_DAY = 28  # 07:00 to 21:00 every half hour


def auth_header(role: Role) -> str:
    return f"Authorization: Bearer {mint_token(DEVELOPMENT_JWT_SECRET, role=role)}"


def headers(role: Role) -> dict[str, str]:
    name, _, value = auth_header(role).partition(": ")
    return {name: value}


HOLIDAYS = holidays.country_holidays(str(ServiceSettings.model_fields["country"].default))


@dataclass
class Clinic:
    lanes: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]  # (practitioner, room, patient)
    first_day: datetime
    used: int = 0

    def slot(self, i: int) -> datetime:
        day, half_hour = divmod(i // len(self.lanes), SLOTS_PER_DAY)
        local_day = self.open_day(day)
        local = datetime.combine(local_day, time(7), ZONE) + timedelta(minutes=30 * half_hour)
        return local.astimezone(UTC)

    def open_day(self, n: int) -> date:
        """The n-th day from `first_day` on which the clinic is open (not a public holiday)."""
        day = self.first_day.date()
        while day in HOLIDAYS or n > 0:
            if day not in HOLIDAYS:
                n -= 1
            day += timedelta(days=1)
        return day


async def open_clinic(base_url: str, lanes: int) -> Clinic:
    """Practitioners working every day, rooms and patients, one of each per lane, through the
    API."""
    admin = headers(Role.ADMIN)
    pairs = []
    async with httpx.AsyncClient(base_url=base_url, headers=admin, timeout=30) as client:
        for i in range(lanes):
            made = await client.post("/v1/practitioners", json={"name": f"Practitioner {i}"})
            practitioner = made.raise_for_status().json()["id"]
            hours = [{"weekday": d, "start": "00:00", "end": "23:59"} for d in range(7)]
            put = await client.put(f"/v1/practitioners/{practitioner}/hours", json=hours)
            put.raise_for_status()
            room = (await client.post("/v1/rooms", json={"name": f"Room {i}"})).raise_for_status()
            patient = {
                "first_name": "Bench",
                "last_name": f"Patient {i}",
                "email": f"bench.patient{i}@example.com",
                "preferred_channel": "email",
                "consent_email": True,
            }
            made = (await client.post("/v1/patients", json=patient)).raise_for_status()
            ids = (practitioner, room.json()["id"], made.json()["id"])
            pairs.append((uuid.UUID(ids[0]), uuid.UUID(ids[1]), uuid.UUID(ids[2])))
    first_day = datetime.now(ZONE) + timedelta(days=4)  # past every reminder offset
    return Clinic(pairs, first_day)


async def booking_bodies(clinic: Clinic, dsn: str, count: int, path: Path) -> Path:
    """`count` new courses, one per booking, and the booking bodies as JSON lines in `path`."""
    now = datetime.now(UTC)
    rows, lines = [], []
    for i in range(clinic.used, clinic.used + count):
        practitioner, room, patient = clinic.lanes[i % len(clinic.lanes)]
        course = uuid.uuid4()
        rows.append((course, patient, TREATMENT, practitioner, 8, "active", now))
        body = {"course_id": str(course), "starts_at": clinic.slot(i).isoformat()}
        lines.append(json.dumps(body | {"room_id": str(room)}))
    clinic.used += count
    await insert_courses(dsn, rows)
    await asyncio.to_thread(path.write_text, "\n".join(lines) + "\n")
    return path


async def insert_courses(dsn: str, rows: Sequence[tuple[object, ...]]) -> None:
    """Courses straight into scheduling's table: (id, patient, treatment, practitioner,
    sessions planned, status, created at)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "courses",
            records=rows,
            columns=[
                "id",
                "patient_id",
                "treatment_code",
                "practitioner_id",
                "sessions_planned",
                "status",
                "created_at",
            ],
        )
    finally:
        await conn.close()
