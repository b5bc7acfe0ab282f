"""Adjustments never make stock negative; recalls move reservations and name the patients."""

from __future__ import annotations

import uuid

from clinic_shared.contracts.events import SessionBooked, SessionCompleted
from clinic_testing.helpers import bearer
from inventory.adapters.orm import adjustments, lots

from .conftest import STOCK, Inventory
from .events import emitted, held, publish, session_event


async def adjust(inventory: Inventory, lot_id: str, kind: str, quantity: int, **over: object):
    body = {"lot_id": lot_id, "kind": kind, "quantity": quantity, "reason": "weekly count"}
    return await inventory.client.post("/v1/adjustments", json=body | over, headers=STOCK)


async def test_breakage_removes_vials_and_is_recorded_with_who_and_why(
    inventory: Inventory,
) -> None:
    lot = await inventory.receive("lidocaine", "LID-1", 10)
    broken = await adjust(inventory, lot["id"], "breakage", 3)
    assert broken.status_code == 201, broken.text
    assert (broken.json()["quantity"], broken.json()["available"]) == (7, 7)
    [record] = await inventory.rows(adjustments)
    assert (record.kind, record.quantity_before, record.quantity_after) == ("breakage", 10, 7)
    assert record.reason == "weekly count"
    assert record.adjusted_by.startswith("stock_manager")


async def test_an_adjustment_that_would_go_negative_or_is_invalid_writes_nothing(
    inventory: Inventory,
) -> None:
    lot = await inventory.receive("lidocaine", "LID-1", 4)
    too_many = await adjust(inventory, lot["id"], "disposal", 5)
    negative = await adjust(inventory, lot["id"], "count_correction", -1)
    nothing = await adjust(inventory, lot["id"], "breakage", 0)
    unknown = await adjust(inventory, str(uuid.uuid4()), "breakage", 1)
    desk = await inventory.client.post(
        "/v1/adjustments",
        json={"lot_id": lot["id"], "kind": "breakage", "quantity": 1, "reason": "x"},
        headers=bearer("receptionist"),
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "body.quantity"
    assert negative.status_code == nothing.status_code == 422
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "body.lot_id"
    assert desk.status_code == 403
    assert [r.quantity for r in await inventory.rows(lots)] == [4]
    assert await inventory.rows(adjustments) == []


async def test_a_count_below_what_is_reserved_makes_the_latest_session_short(
    inventory: Inventory,
) -> None:
    caffeine = await inventory.receive("caffeine", "CAF-1", 2)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    sooner, later = uuid.uuid4(), uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, later, days=20))
    await publish(inventory, session_event(SessionBooked, sooner, days=5))

    counted = await adjust(inventory, caffeine["id"], "count_correction", 1)

    assert counted.status_code == 201, counted.text
    assert (counted.json()["quantity"], counted.json()["reserved"]) == (1, 1)
    assert ("caffeine", "CAF-1", 1) in await held(inventory, sooner)
    assert ("caffeine", None, 1) in await held(inventory, later)
    [shortage] = await emitted(inventory, "inventory.stock.shortage")
    assert shortage["session_id"] == str(later)


async def test_recall_moves_reservations_and_names_patients_treated_and_sessions_booked(
    inventory: Inventory,
) -> None:
    bad = await inventory.receive("caffeine", "CAF-BAD", 3, days=30)
    await inventory.receive("caffeine", "CAF-GOOD", 1, days=60)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    treated, patient = uuid.uuid4(), uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, treated, days=2, patient_id=patient))
    await publish(inventory, session_event(SessionCompleted, treated, days=2, patient_id=patient))
    moved, stranded = uuid.uuid4(), uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, moved, days=5))
    await publish(inventory, session_event(SessionBooked, stranded, days=9))

    recalled = await inventory.client.post(f"/v1/lots/{bad['id']}/recall", json={}, headers=STOCK)
    again = await inventory.client.post(f"/v1/lots/{bad['id']}/recall", headers=STOCK)
    unknown = await inventory.client.post(f"/v1/lots/{uuid.uuid4()}/recall", headers=STOCK)

    assert recalled.status_code == 200, recalled.text
    body = recalled.json()
    assert body["lot"]["status"] == "recalled"
    assert body["patient_ids"] == [str(patient)]
    assert set(body["session_ids"]) == {str(moved), str(stranded)}
    assert body["sessions_now_short"] == [str(stranded)]
    assert ("caffeine", "CAF-GOOD", 1) in await held(inventory, moved)
    assert ("caffeine", None, 1) in await held(inventory, stranded)
    [event] = await emitted(inventory, "inventory.lot.recalled")
    assert event["patient_ids"] == [str(patient)]
    assert set(event["session_ids"]) == {str(moved), str(stranded)}
    assert again.status_code == 409
    assert unknown.status_code == 404
