"""Issue 19 item 7 across services: inventory reserves the kit the course's prescription says,
and a practitioner's change of prescription re-reserves the sessions not yet done."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic_testing.helpers import bearer, eventually

from .conftest import Stack

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]
PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2030, 3, 4)
DESK, ADMIN = bearer("receptionist"), bearer("admin")
STOCK = bearer("stock_manager")
THIGHS_KIT = {"artichoke": 1, "caffeine": 2, "l-carnitine": 2, "lidocaine": 1, "vitamin-blend": 1}


async def _clinic(stack: Stack) -> tuple[str, str, str]:
    """A practitioner, a room and a patient in scheduling; stock of every product in inventory."""
    api = stack.clients["scheduling"]
    stack.apps["scheduling"].state.runtime.clock = lambda: datetime.combine(
        MONDAY, time(8), tzinfo=PARIS
    )
    doctor = (await api.post("/v1/practitioners", json={"name": "Dr A"}, headers=ADMIN)).json()
    hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]
    await api.put(f"/v1/practitioners/{doctor['id']}/hours", json=hours, headers=ADMIN)
    room = (await api.post("/v1/rooms", json={"name": "R"}, headers=ADMIN)).json()["id"]
    patient = {"first_name": "A", "last_name": "B", "phone": "+447911123456"}
    patient_id = (await api.post("/v1/patients", json=patient, headers=DESK)).json()["id"]
    for product in THIGHS_KIT:
        body = {"product_code": product, "lot_number": f"{product}-1", "expires_on": "2031-01-31"}
        received = await stack.clients["inventory"].post(
            "/v1/receipts", json=body | {"quantity": 20}, headers=STOCK
        )
        assert received.status_code == 201, received.text
    return doctor["id"], room, patient_id


async def _kit(stack: Stack, session: str) -> dict[str, int]:
    """The vials inventory holds for the session, by product."""
    found = await stack.clients["inventory"].get(
        "/v1/reservations", params={"session_id": session}, headers=STOCK
    )
    if found.status_code == 404:  # the booking has not reached inventory yet
        return {}
    kit: dict[str, int] = {}
    for line in found.json():
        if line["status"] == "reserved":
            kit[line["product_code"]] = kit.get(line["product_code"], 0) + line["quantity"]
    return kit


async def test_inventory_reserves_the_prescribed_kit_and_follows_its_changes(
    stack: Stack,
) -> None:
    doctor, room, patient = await _clinic(stack)
    api = stack.clients["scheduling"]
    opened = await api.post(
        "/v1/courses",
        json={
            "patient_id": patient,
            "treatment_code": "cellulite-thighs",
            "practitioner_id": doctor,
            "sessions_planned": 3,
            "kit_adjustments": [
                {"product_code": "lidocaine", "quantity": 0},
                {"product_code": "caffeine", "quantity": 3},
            ],
        },
        headers=DESK,
    )
    assert opened.status_code == 201, opened.text
    course = opened.json()["id"]
    starts = [
        datetime.combine(MONDAY + timedelta(days=7 * i), time(10), tzinfo=PARIS).isoformat()
        for i in range(2)
    ]
    booked = await api.post(
        f"/v1/courses/{course}/book-plan",
        json={"sessions": [{"starts_at": s, "room_id": room} for s in starts]},
        headers=DESK,
    )
    assert booked.status_code == 201, booked.text
    first, second = (s["id"] for s in booked.json())
    prescribed = THIGHS_KIT | {"caffeine": 3}
    del prescribed["lidocaine"]
    for session in (first, second):
        assert await eventually(
            lambda s=session: _kit(stack, s), until=lambda k: k == prescribed, timeout=20
        )

    # the first session is done; the doctor now prescribes lidocaine and one caffeine fewer
    stack.apps["scheduling"].state.runtime.clock = lambda: datetime.combine(
        MONDAY, time(10, 30), tzinfo=PARIS
    )
    own = bearer("practitioner", practitioner_id=doctor)  # the course's: their own session
    done = await api.post(f"/v1/sessions/{first}/complete", json={}, headers=own)
    assert done.status_code == 200, done.text
    changed = await api.patch(
        f"/v1/courses/{course}/prescription",
        json={"kit_adjustments": [{"product_code": "lidocaine", "quantity": 1}]},
        headers=own,
    )
    assert changed.status_code == 200, changed.text
    assert await eventually(
        lambda: _kit(stack, second), until=lambda k: k == THIGHS_KIT, timeout=20
    )
    assert await _kit(stack, first) == {}  # done: its vials were used, nothing re-reserved
