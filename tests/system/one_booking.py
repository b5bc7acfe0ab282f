"""One session booked through the real services: what the metrics and tracing tests watch."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_testing.helpers import bearer

from .conftest import Stack

DESK, ADMIN, STOCK = bearer("receptionist"), bearer("admin"), bearer("stock_manager")
SESSION_START = datetime(2030, 3, 11, 10, tzinfo=ZoneInfo("Europe/Paris"))
PATIENT = {
    "first_name": "Nora",
    "last_name": "Metric",
    "phone": "+33 6 12 34 56 78",
    "email": "nora.metric@example.com",
    "preferred_channel": "sms",
    "consent_sms": True,
    "consent_email": True,
}


async def book_one_session(stack: Stack) -> str:
    """Five caffeine vials in stock and none of the kit's other products; a session booked a
    week ahead for a patient who agreed to SMS and email. Returns the session's id."""
    stack.apps["scheduling"].state.runtime.clock = lambda: SESSION_START - timedelta(days=7)
    received = await stack.clients["inventory"].post(
        "/v1/receipts",
        json={"product_code": "caffeine", "lot_number": "CAF-1", "expires_on": "2031-01-31",
              "quantity": 5},
        headers=STOCK,
    )  # fmt: skip
    assert received.status_code == 201, received.text
    api = stack.clients["scheduling"]
    doctor = (await api.post("/v1/practitioners", json={"name": "Dr A"}, headers=ADMIN)).json()
    hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]
    await api.put(f"/v1/practitioners/{doctor['id']}/hours", json=hours, headers=ADMIN)
    room = (await api.post("/v1/rooms", json={"name": "R"}, headers=ADMIN)).json()["id"]
    patient = (await api.post("/v1/patients", json=PATIENT, headers=DESK)).json()["id"]
    course = {
        "patient_id": patient,
        "treatment_code": "cellulite-abdomen",
        "practitioner_id": doctor["id"],
        "sessions_planned": 8,
    }
    course_id = (await api.post("/v1/courses", json=course, headers=DESK)).json()["id"]
    booking = {"course_id": course_id, "starts_at": SESSION_START.isoformat(), "room_id": room}
    booked = await api.post("/v1/sessions", json=booking, headers=DESK)
    assert booked.status_code == 201, booked.text
    return str(booked.json()["id"])
