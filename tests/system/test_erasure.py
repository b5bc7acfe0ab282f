"""Erasing a patient with a course booked: their upcoming sessions are cancelled through the
usual events, so inventory releases the vials held for them and notifications cancels their
messages, without telling the erased patient anything."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clinic_testing.helpers import bearer, eventually

from .conftest import Stack

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]
PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2030, 3, 4)
DESK, ADMIN, STOCK = bearer("receptionist"), bearer("admin"), bearer("stock_manager")
PRODUCTS = ("caffeine", "l-carnitine", "artichoke", "vitamin-blend", "lidocaine")


@pytest.fixture
def overrides(tmp_path: Path) -> dict[str, dict[str, Any]]:
    return {"notifications": {"outbox_dir": tmp_path, "dispatch_poll_seconds": 0.05}}


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


async def _booked_course(stack: Stack) -> tuple[str, list[str]]:
    """Stock of every product; a patient who agreed to SMS and email, with three sessions."""
    scheduling, inventory = stack.clients["scheduling"], stack.clients["inventory"]
    for product in PRODUCTS:
        receipt = {
            "product_code": product,
            "lot_number": "L1",
            "expires_on": "2031-01-31",
            "quantity": 20,
        }
        received = await inventory.post("/v1/receipts", json=receipt, headers=STOCK)
        assert received.status_code == 201, received.text
    doctor = await scheduling.post("/v1/practitioners", json={"name": "Dr A"}, headers=ADMIN)
    doctor_id = doctor.json()["id"]
    hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]
    await scheduling.put(f"/v1/practitioners/{doctor_id}/hours", json=hours, headers=ADMIN)
    room = (await scheduling.post("/v1/rooms", json={"name": "R"}, headers=ADMIN)).json()["id"]
    patient = {
        "first_name": "Amelia",
        "last_name": "Hart",
        "phone": "06 12 34 56 78",
        "email": "amelia@example.com",
        "consent_sms": True,
        "consent_email": True,
    }
    patient_id = (await scheduling.post("/v1/patients", json=patient, headers=DESK)).json()["id"]
    course = {
        "patient_id": patient_id,
        "treatment_code": "cellulite-thighs",
        "practitioner_id": doctor_id,
        "sessions_planned": 3,
    }
    course_id = (await scheduling.post("/v1/courses", json=course, headers=DESK)).json()["id"]
    starts = [at(MONDAY + timedelta(days=7 * (i + 1)), 10).isoformat() for i in range(3)]
    booked = await scheduling.post(
        f"/v1/courses/{course_id}/book-plan",
        json={"sessions": [{"starts_at": s, "room_id": room} for s in starts]},
        headers=DESK,
    )
    assert booked.status_code == 201, booked.text
    return patient_id, [s["id"] for s in booked.json()]


async def _reservations(stack: Stack, sessions: list[str]) -> set[str]:
    statuses = set()
    for session in sessions:
        found = await stack.clients["inventory"].get(
            "/v1/reservations", params={"session_id": session}, headers=STOCK
        )
        if found.status_code != 200:  # the booking has not reached inventory yet
            return {"not yet"}
        statuses |= {r["status"] for r in found.json()} or {"not yet"}
    return statuses


async def _messages(stack: Stack, patient_id: str) -> list[dict[str, Any]]:
    found = await stack.clients["notifications"].get(
        "/v1/messages", params={"patient_id": patient_id}, headers=DESK
    )
    return list(found.json())


def _unsent(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["status"] in ("scheduled", "sending")]


async def test_erasure_releases_the_vials_and_cancels_the_messages(stack: Stack) -> None:
    for name in ("scheduling", "notifications"):
        stack.apps[name].state.runtime.clock = lambda: at(MONDAY, 9)
    patient_id, sessions = await _booked_course(stack)
    await eventually(
        lambda: _reservations(stack, sessions), until=lambda s: s == {"reserved"}, timeout=20
    )
    before = await eventually(
        lambda: _messages(stack, patient_id),
        until=lambda found: any(m["kind"] == "reminder" for m in _unsent(found)),
        timeout=20,
    )

    erased = await stack.clients["scheduling"].post(
        f"/v1/patients/{patient_id}/erase", headers=ADMIN
    )

    assert erased.status_code == 200, erased.text
    released = await eventually(
        lambda: _reservations(stack, sessions), until=lambda s: s == {"released"}, timeout=20
    )
    assert released == {"released"}
    after = await eventually(
        lambda: _messages(stack, patient_id), until=lambda found: not _unsent(found), timeout=20
    )
    reminders = [m for m in after if m["kind"] == "reminder"]
    assert reminders
    assert {m["status"] for m in reminders} == {"cancelled"}
    waiting = {m["id"] for m in _unsent(before) if m["kind"] == "reminder"}
    assert waiting <= {m["id"] for m in reminders}
    assert not [m for m in after if m["kind"] == "cancellation"]  # nothing to an erased patient
