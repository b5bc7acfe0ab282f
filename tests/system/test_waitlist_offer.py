"""A cancel frees a slot; scheduling offers it to a waitlisted patient through the outbox and
RabbitMQ; notifications sends the offer by each consented channel with the offer's link; that
link books the slot."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from clinic_shared.patient_links import HEADER, read_offer_link

from .conftest import Stack
from .test_course_messages import ADMIN, DESK, MONDAY, a_course, at, clocks, sent, text

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]
BASE = "https://clinic.example"


@pytest.fixture
def overrides(tmp_path: Path) -> dict[str, dict[str, Any]]:
    notifications = {
        "outbox_dir": tmp_path,
        "dispatch_poll_seconds": 0.05,
        "patient_link_base_url": BASE,
    }
    return {"notifications": notifications}


async def test_a_freed_slot_reaches_the_waitlisted_patient_whose_link_books_it(
    stack: Stack, tmp_path: Path
) -> None:
    clocks(stack, at(MONDAY, 9))
    scheduling = stack.clients["scheduling"]
    _, held_course, room = await a_course(stack)
    slot = at(MONDAY + timedelta(days=8), 10).isoformat()  # Tuesday 12 March
    held = await scheduling.post(
        "/v1/sessions",
        json={"course_id": held_course, "starts_at": slot, "room_id": room},
        headers=DESK,
    )
    assert held.status_code == 201, held.text
    practitioner = held.json()["practitioner_id"]
    waiter = {
        "first_name": "Chloé",
        "last_name": "Morel",
        "phone": "+33 6 12 34 56 78",
        "email": "chloe@example.com",
        "language": "fr",
        "consent_sms": True,
        "consent_email": True,
    }
    patient_id = (await scheduling.post("/v1/patients", json=waiter, headers=DESK)).json()["id"]
    course = await scheduling.post(
        "/v1/courses",
        json={
            "patient_id": patient_id,
            "treatment_code": "cellulite-arms",
            "practitioner_id": practitioner,
        },
        headers=DESK,
    )
    joined = await scheduling.post(
        "/v1/waitlist", json={"course_id": course.json()["id"]}, headers=DESK
    )
    assert joined.status_code == 201, joined.text

    cancelled = await scheduling.post(
        f"/v1/sessions/{held.json()['id']}/cancel", json={}, headers=DESK
    )
    assert cancelled.status_code == 200, cancelled.text
    offers = await sent(stack, patient_id, "waitlist_offer", 2)

    assert sorted(m["channel"] for m in offers) == ["email", "sms"]
    sms = text(tmp_path, next(m for m in offers if m["channel"] == "sms"))
    assert "une place s'est libérée pour votre prochaine séance : mardi 12 mars à 10h00" in sms
    token = sms.split(f"{BASE}/p/", 1)[1].split()[0]
    key = stack.apps["scheduling"].state.runtime.settings.patient_link_key.get_secret_value()
    read_offer_link(key, token)  # the offer's link, signed with the clinic's key
    taken = await scheduling.post("/v1/self-service/offer/accept", headers={HEADER: token})
    assert taken.status_code == 201, taken.text
    booked = await scheduling.get(f"/v1/sessions/{taken.json()['session_id']}", headers=ADMIN)
    assert booked.json()["course_id"] == course.json()["id"]
    assert booked.json()["starts_at"].startswith("2030-03-12T09:00")
