from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from clinic_shared.contracts import Envelope
from clinic_testing.helpers import Served, bearer, running
from scheduling.bootstrap import build_app
from scheduling.settings import SchedulingSettings

from .fake_inventory import FakeInventory

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2030, 3, 4)  # the clinic's "today" in these tests; DST starts on 31 March 2030
DESK = bearer("receptionist")
ADMIN = bearer("admin")


def local(day: date, hour: int = 10, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).isoformat()


def instant(text: str) -> datetime:
    """An API timestamp as a comparable instant, whatever offset it was written with."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Clinic:
    """A running scheduling service with a practitioner, two rooms and a patient."""

    client: httpx.AsyncClient
    app: Any
    practitioner: str
    rooms: list[str]
    patient: str
    inventory: FakeInventory
    events: list[Envelope] = field(default_factory=list)

    @property
    def doctor(self) -> dict[str, str]:
        """The clinic's practitioner's token: it names them, so their sessions are theirs."""
        return bearer("practitioner", practitioner_id=self.practitioner)

    def travel_to(self, moment: datetime) -> None:
        self.app.state.runtime.clock = lambda: moment

    async def post(self, path: str, body: Any, headers: dict[str, str] = DESK) -> httpx.Response:
        return await self.client.post(path, json=body, headers=headers)

    async def course(
        self,
        sessions_planned: int = 10,
        treatment: str = "cellulite-thighs",
        patient: str | None = None,
    ) -> str:
        """A course of the clinic's patient, or of `patient` (one active course per area)."""
        response = await self.post(
            "/v1/courses",
            {
                "patient_id": patient or self.patient,
                "treatment_code": treatment,
                "practitioner_id": self.practitioner,
                "sessions_planned": sessions_planned,
            },
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def book(self, course: str, starts_at: str, room: int = 0) -> httpx.Response:
        return await self.post(
            "/v1/sessions",
            {"course_id": course, "starts_at": starts_at, "room_id": self.rooms[room]},
        )

    async def book_ok(self, course: str, starts_at: str, room: int = 0) -> dict[str, Any]:
        response = await self.book(course, starts_at, room)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def new_patient(self, name: str = "Zoe") -> str:
        response = await self.post(
            "/v1/patients",
            {
                "first_name": name,
                "last_name": "Test",
                "email": f"{name.lower()}@example.com",
                "preferred_channel": "email",
                "consent_email": True,
            },
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


# How long scheduling waits for the fake inventory: long enough for a loaded machine, short
# enough for the test of a late answer.
INVENTORY_TIMEOUT_SECONDS = 3.0


@pytest.fixture
async def fake_inventory() -> AsyncIterator[FakeInventory]:
    """Inventory's lot check, served; stop and start its `server` to take it down and back."""
    fake = FakeInventory()
    fake.server = Served(fake.app())
    await fake.server.start()
    try:
        yield fake
    finally:
        await fake.server.stop()


@pytest.fixture
async def clinic(make_settings, fake_inventory: FakeInventory) -> AsyncIterator[Clinic]:
    settings = await make_settings(
        SchedulingSettings,
        inventory_url=fake_inventory.url,
        peer_timeout_seconds=INVENTORY_TIMEOUT_SECONDS,
    )
    app = build_app(settings)
    app.state.runtime.clock = lambda: datetime.combine(MONDAY, time(8), tzinfo=PARIS)
    async with running(app) as client:
        seen: list[Envelope] = []

        async def notifications(envelope: Envelope) -> None:
            seen.append(envelope)

        await app.state.runtime.message_bus.subscribe("notifications", notifications)
        practitioner = await client.post(
            "/v1/practitioners", json={"name": "Dr Dubois"}, headers=ADMIN
        )
        pid = practitioner.json()["id"]
        hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(6)]
        put = await client.put(f"/v1/practitioners/{pid}/hours", json=hours, headers=ADMIN)
        assert put.status_code == 200, put.text
        rooms = []
        for name in ("Room 1", "Room 2"):
            room = await client.post("/v1/rooms", json={"name": name}, headers=ADMIN)
            rooms.append(room.json()["id"])
        patient = await client.post(
            "/v1/patients",
            json={
                "first_name": "Amelia",
                "last_name": "Hart",
                "phone": "+447911123456",
                "consent_sms": True,
            },
            headers=DESK,
        )
        yield Clinic(client, app, pid, rooms, patient.json()["id"], fake_inventory, seen)


def days(n: int) -> timedelta:
    return timedelta(days=n)
