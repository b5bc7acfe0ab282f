"""The three services with real HTTP between them, and a clinic's worth of contact data in them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import uvicorn
from fastapi import FastAPI

from clinic_shared.serve import uvicorn_config
from clinic_testing.helpers import bearer, eventually, running
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from notifications.bootstrap import build_app as notifications_app
from notifications.settings import NotificationsSettings
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.settings import SchedulingSettings

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2030, 3, 4)
DESK, ADMIN = bearer("receptionist"), bearer("admin")
PATIENTS = (
    {"first_name": "Amelia", "phone": "+44 7911 123456", "email": "amelia.hart@example.com"},
    {"first_name": "Chloe", "phone": "+33 6 12 34 56 78", "email": "chloe.martin@example.org"},
)
# Every form a contact could be stored in: as typed, normalised, digits only.
CONTACT_FORMS = (
    "+447911123456",
    "7911123456",
    "07911 123456",
    "+33612345678",
    "612345678",
    "amelia.hart@example.com",
    "chloe.martin@example.org",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serving(app: FastAPI, settings: Any) -> AsyncIterator[str]:
    """Serve `app` over real HTTP on `settings.port`; its base URL."""
    server = uvicorn.Server(uvicorn_config(app, settings))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: _started(server), timeout=30)
    try:
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        server.should_exit = True
        await task


async def _started(server: uvicorn.Server) -> bool:
    return server.started


@dataclass
class Clinic:
    apps: dict[str, FastAPI]
    scheduling: httpx.AsyncClient
    notifications_url: str
    patient_ids: list[str] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)


@asynccontextmanager
async def clinic_stack(make_settings: Any, tmp_path: Path) -> AsyncIterator[Clinic]:
    """Inventory and notifications served on free ports; scheduling calls them over HTTP."""
    inventory = await make_settings(InventorySettings, port=free_port())
    notifications = await make_settings(
        NotificationsSettings,
        port=free_port(),
        outbox_dir=tmp_path / "outbox",
        dispatch_poll_seconds=0.1,
    )
    scheduling = await make_settings(
        SchedulingSettings,
        inventory_url=f"http://127.0.0.1:{inventory.port}",
        notifications_url=f"http://127.0.0.1:{notifications.port}",
    )
    apps = {
        "scheduling": scheduling_app(scheduling),
        "inventory": inventory_app(inventory),
        "notifications": notifications_app(notifications),
    }
    # the clinic's Monday morning for both, whatever the hour the suite runs (outside quiet hours)
    for name in ("scheduling", "notifications"):
        apps[name].state.runtime.clock = lambda: datetime.combine(MONDAY, time(8), tzinfo=PARIS)
    async with (
        serving(apps["inventory"], inventory),
        serving(apps["notifications"], notifications) as notifications_url,
        running(apps["scheduling"]) as client,
    ):
        yield Clinic(apps, client, notifications_url)


async def fill(clinic: Clinic) -> None:
    """Register the patients, book each a session, change a consent: contact data everywhere."""
    client = clinic.scheduling
    practitioner = (
        await client.post("/v1/practitioners", json={"name": "Dr A"}, headers=ADMIN)
    ).json()["id"]
    hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]
    await client.put(f"/v1/practitioners/{practitioner}/hours", json=hours, headers=ADMIN)
    room = (await client.post("/v1/rooms", json={"name": "R"}, headers=ADMIN)).json()["id"]
    for hour, person in enumerate(PATIENTS, start=10):
        body = person | {"last_name": "Test", "consent_sms": True, "consent_email": True}
        patient = (await client.post("/v1/patients", json=body, headers=DESK)).json()["id"]
        course = await client.post(
            "/v1/courses",
            json={
                "patient_id": patient,
                "treatment_code": "cellulite-thighs",
                "practitioner_id": practitioner,
                "sessions_planned": 10,
            },
            headers=DESK,
        )
        starts = datetime.combine(MONDAY + timedelta(days=1), time(hour), tzinfo=PARIS)
        booked = await client.post(
            "/v1/sessions",
            json={
                "course_id": course.json()["id"],
                "starts_at": starts.isoformat(),
                "room_id": room,
            },
            headers=DESK,
        )
        assert booked.status_code == 201, booked.text
        clinic.patient_ids.append(patient)
        clinic.session_ids.append(booked.json()["id"])
    for patient in clinic.patient_ids:
        await eventually(lambda p=patient: _everywhere(clinic, p), timeout=30)
    await _withdraw_email_consent(clinic, clinic.patient_ids[0])


async def _withdraw_email_consent(clinic: Clinic, patient_id: str) -> None:
    """A consent change at the desk: the ledger records the address it applies to."""
    preferences = {"preferred_channel": "sms", "language": "en", "consent_sms": True}
    async with httpx.AsyncClient(base_url=clinic.notifications_url) as client:
        changed = await client.put(
            f"/v1/patients/{patient_id}/preferences",
            json=preferences | {"consent_email": False},
            headers=DESK,
        )
    assert changed.status_code == 200, changed.text
    assert changed.json()["consent_history"]


async def _everywhere(clinic: Clinic, patient_id: str) -> bool:
    """The patient's contact, messages and reservations have reached the other services, and
    the booking's confirmation has gone (before a consent change could cancel it)."""
    response = await clinic.scheduling.get(f"/v1/patients/{patient_id}/export", headers=ADMIN)
    if response.status_code != 200:
        return False
    export = response.json()
    messages = export["notifications"]["messages"]
    return any(m["attempts"] for m in messages) and bool(export["inventory"]["sessions"])
