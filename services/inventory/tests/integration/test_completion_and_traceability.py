"""Completed sessions: reservations become consumption, traced from lot to patient and back."""

from __future__ import annotations

import uuid

from clinic_shared.contracts.events import (
    ProductUsed,
    SessionBooked,
    SessionCompleted,
)
from clinic_testing.helpers import bearer
from inventory.adapters.orm import consumptions, lots

from .conftest import Inventory
from .events import PATIENT, held, lines, publish, session_event


async def test_completion_turns_the_reservation_into_consumption_traced_to_the_patient(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 5)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session))

    await publish(inventory, session_event(SessionCompleted, session))

    assert {(x["lot_number"], x["status"]) for x in await lines(inventory, session)} == {
        ("CAF-1", "consumed"),
        ("VIT-1", "consumed"),
    }
    assert {(r.lot_number, r.reserved, r.consumed) for r in await inventory.rows(lots)} == {
        ("CAF-1", 0, 1),
        ("VIT-1", 0, 1),
    }
    by_lot = await inventory.client.get(
        "/v1/traceability", params={"lot_number": "CAF-1"}, headers=bearer("practitioner")
    )
    by_patient = await inventory.client.get(
        "/v1/traceability", params={"patient_id": str(PATIENT)}, headers=bearer("admin")
    )
    assert by_lot.json()["patient_ids"] == [str(PATIENT)]
    assert [c["session_id"] for c in by_lot.json()["consumptions"]] == [str(session)]
    assert sorted(c["lot_number"] for c in by_patient.json()["consumptions"]) == ["CAF-1", "VIT-1"]


async def test_lots_named_at_completion_are_recorded_and_the_reservation_released(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-SOON", 5, days=40)
    await inventory.receive("caffeine", "CAF-OTHER", 5, days=80)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session))
    used = [
        ProductUsed(product_code="caffeine", lot_number="CAF-OTHER", quantity=2),
        ProductUsed(product_code="caffeine", lot_number="NEVER-RECEIVED", quantity=1),
    ]

    await publish(inventory, session_event(SessionCompleted, session, products_used=used))

    recorded = {(r.lot_number, r.quantity) for r in await inventory.rows(consumptions)}
    assert recorded == {("CAF-OTHER", 2), ("NEVER-RECEIVED", 1)}
    counts = {r.lot_number: (r.reserved, r.consumed) for r in await inventory.rows(lots)}
    assert counts == {"CAF-SOON": (0, 0), "CAF-OTHER": (0, 2), "VIT-1": (0, 0)}
    stray = await inventory.client.get(
        "/v1/traceability", params={"lot_number": "NEVER-RECEIVED"}, headers=bearer("admin")
    )
    assert stray.json()["patient_ids"] == [str(PATIENT)]


async def test_traceability_needs_exactly_one_of_lot_number_and_patient(
    inventory: Inventory,
) -> None:
    neither = await inventory.client.get("/v1/traceability", headers=bearer("admin"))
    both = await inventory.client.get(
        "/v1/traceability",
        params={"lot_number": "X", "patient_id": str(PATIENT)},
        headers=bearer("admin"),
    )
    assert neither.status_code == both.status_code == 422
    assert neither.json()["errors"][0]["field"] == "query.lot_number"


async def test_vials_taken_from_a_lot_reserved_for_others_push_the_latest_session_elsewhere(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-SOON", 1, days=40)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    treated, waiting = uuid.uuid4(), uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, treated, days=2))
    await publish(inventory, session_event(SessionBooked, waiting, days=9))
    await inventory.receive("caffeine", "CAF-LATER", 1, days=90)  # goes to `waiting`
    used = [ProductUsed(product_code="caffeine", lot_number="CAF-LATER", quantity=1)]

    await publish(inventory, session_event(SessionCompleted, treated, products_used=used))

    counts = {r.lot_number: (r.reserved, r.consumed) for r in await inventory.rows(lots)}
    assert counts["CAF-LATER"] == (0, 1)
    assert counts["CAF-SOON"] == (1, 0)
    assert ("caffeine", "CAF-SOON", 1) in await held(inventory, waiting)


async def test_a_named_lot_the_session_held_turns_its_reservation_into_consumption(
    inventory: Inventory,
) -> None:
    for code in ("caffeine", "l-carnitine", "artichoke", "vitamin-blend", "lidocaine"):
        await inventory.receive(code, f"{code}-1", 5)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session, treatment="cellulite-thighs"))
    used = [ProductUsed(product_code="caffeine", lot_number="caffeine-1", quantity=1)]

    await publish(inventory, session_event(SessionCompleted, session, products_used=used))

    by_product = {x["product_code"]: x for x in await lines(inventory, session)}
    assert (by_product["caffeine"]["status"], by_product["caffeine"]["quantity"]) == ("consumed", 1)
    assert {x["status"] for p, x in by_product.items() if p != "caffeine"} == {"released"}
    counts = {r.lot_number: (r.reserved, r.consumed) for r in await inventory.rows(lots)}
    assert counts["caffeine-1"] == (0, 1)  # 2 were held, 1 used, 1 back
    assert counts["lidocaine-1"] == (0, 0)
    assert [(r.lot_number, r.quantity) for r in await inventory.rows(consumptions)] == [
        ("caffeine-1", 1)
    ]


async def test_a_completion_naming_a_recalled_lot_raises_one_critical_alert(
    inventory: Inventory,
) -> None:
    recalled = await inventory.receive("caffeine", "CAF-BAD", 5)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    await inventory.client.post(f"/v1/lots/{recalled['id']}/recall", headers=bearer("admin"))
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session))
    used = [ProductUsed(product_code="caffeine", lot_number="caf-bad", quantity=1)]
    completed = session_event(SessionCompleted, session, products_used=used)

    await publish(inventory, completed)
    await publish(inventory, completed)  # delivered again, in a new envelope

    alerts = (await inventory.client.get("/v1/alerts", headers=bearer("practitioner"))).json()
    [critical] = [a for a in alerts if a["severity"] == "critical"]
    assert critical["kind"] == "recalled_lot_used"
    assert (critical["lot_id"], critical["session_id"]) == (recalled["id"], str(session))
    assert "recalled" in critical["message"]
    assert {a["severity"] for a in alerts if a is not critical} <= {"warning"}
    [consumed] = await inventory.rows(consumptions)
    assert (str(consumed.lot_id), consumed.quantity) == (recalled["id"], 1)
