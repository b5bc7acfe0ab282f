"""A lot number is one lot however the supplier or the practitioner cased or spaced it."""

from __future__ import annotations

import uuid
from datetime import timedelta

from clinic_shared.contracts.events import ProductUsed, SessionBooked, SessionCompleted
from clinic_testing.helpers import bearer, clinic_today
from inventory.adapters.orm import consumptions, lots, receipts

from .conftest import STOCK, Inventory
from .events import PATIENT, publish, session_event


def receipt(lot: str, quantity: int = 5, days: int = 90) -> dict[str, object]:
    expires_on = (clinic_today() + timedelta(days=days)).isoformat()
    return {
        "product_code": "caffeine",
        "lot_number": lot,
        "expires_on": expires_on,
        "quantity": quantity,
    }


async def test_deliveries_numbered_in_another_case_or_with_spaces_top_up_one_lot(
    inventory: Inventory,
) -> None:
    first = await inventory.client.post("/v1/receipts", json=receipt("b-xyz "), headers=STOCK)
    second = await inventory.client.post("/v1/receipts", json=receipt(" B-XYZ"), headers=STOCK)
    assert first.status_code == second.status_code == 201, second.text
    assert second.json()["id"] == first.json()["id"]
    assert (second.json()["lot_number"], second.json()["quantity"]) == ("b-xyz", 10)
    assert [(r.lot_number, r.quantity) for r in await inventory.rows(lots)] == [("b-xyz", 10)]
    assert len(await inventory.rows(receipts)) == 2


async def test_a_recalled_lot_cannot_come_back_under_another_case(inventory: Inventory) -> None:
    lot = await inventory.receive("caffeine", "B-XYZ", 5)
    recalled = await inventory.client.post(f"/v1/lots/{lot['id']}/recall", headers=STOCK)
    assert recalled.status_code == 200, recalled.text

    again = await inventory.client.post("/v1/receipts", json=receipt("b-xyz"), headers=STOCK)

    assert again.status_code == 409, again.text
    assert again.json()["lot_id"] == lot["id"]
    assert [(r.lot_number, r.quantity, r.status) for r in await inventory.rows(lots)] == [
        ("B-XYZ", 5, "recalled")
    ]


async def test_a_lot_named_at_completion_in_another_case_is_the_lot_and_traces_to_the_patient(
    inventory: Inventory,
) -> None:
    lot = await inventory.receive("caffeine", "B-XYZ", 5)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session))
    used = [ProductUsed(product_code="caffeine", lot_number=" b-xyz ", quantity=1)]

    await publish(inventory, session_event(SessionCompleted, session, products_used=used))

    [consumed] = await inventory.rows(consumptions)
    assert (consumed.lot_id, consumed.lot_number) == (uuid.UUID(lot["id"]), "B-XYZ")
    counts = {r.lot_number: (r.reserved, r.consumed) for r in await inventory.rows(lots)}
    assert counts["B-XYZ"] == (0, 1)
    traced = await inventory.client.get(
        "/v1/traceability", params={"lot_number": "b-Xyz"}, headers=bearer("practitioner")
    )
    assert traced.json()["patient_ids"] == [str(PATIENT)]
    recall = await inventory.client.post(f"/v1/lots/{lot['id']}/recall", headers=STOCK)
    assert recall.json()["patient_ids"] == [str(PATIENT)]


async def test_a_lot_never_received_is_traced_whatever_case_it_was_written_in(
    inventory: Inventory,
) -> None:
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session))
    used = [ProductUsed(product_code="caffeine", lot_number="caf-stray ", quantity=1)]

    await publish(inventory, session_event(SessionCompleted, session, products_used=used))

    [consumed] = await inventory.rows(consumptions)
    assert (consumed.lot_id, consumed.lot_number) == (None, "caf-stray")
    traced = await inventory.client.get(
        "/v1/traceability", params={"lot_number": "CAF-STRAY"}, headers=bearer("admin")
    )
    assert traced.json()["patient_ids"] == [str(PATIENT)]
