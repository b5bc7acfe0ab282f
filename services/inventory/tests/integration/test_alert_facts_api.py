"""Each alert carries its facts beside its English message: what the message says, as data a
client words in its own language, computed when read as the message is."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from clinic_shared.contracts.events import ProductUsed, SessionBooked, SessionCompleted
from clinic_shared.db import utcnow
from clinic_testing.helpers import bearer, clinic_today
from inventory.entrypoints.workers import scan_once

from .conftest import STOCK, Inventory
from .events import publish, session_event
from .test_purchase_order_life import sent


async def the_alert(inventory: Inventory, kind: str, product: str | None = None) -> dict[str, Any]:
    answer = await inventory.client.get("/v1/alerts", headers=bearer("practitioner"))
    assert answer.status_code == 200, answer.text
    found = [a for a in answer.json() if (a["kind"], a["product_code"]) == (kind, product)]
    if product is None:
        found = [a for a in answer.json() if a["kind"] == kind]
    assert len(found) == 1, answer.json()
    [alert] = found
    return dict(alert)


def in_days(days: int) -> str:
    return (clinic_today() + timedelta(days=days)).isoformat()


async def test_a_shortage_says_its_sessions_vials_and_first_day_as_they_stand_now(
    inventory: Inventory,
) -> None:
    for days in (6, 4):
        await publish(inventory, session_event(SessionBooked, uuid.uuid4(), days=days))

    alert = await the_alert(inventory, "shortage", "vitamin-blend")  # a vial a session

    assert alert["facts"] == {
        "kind": "shortage",
        "sessions": 2,
        "vials": 2,
        "first_session_on": in_days(4),
    }
    assert alert["message"] == (
        f"2 sessions lack 2 Multivitamin blend in all, the first on {in_days(4)}."
    )


async def test_expiring_lots_say_each_lots_number_free_vials_and_day_soonest_first(
    inventory: Inventory,
) -> None:
    await inventory.receive("vitamin-blend", "VIT-B", 2, days=12)
    await inventory.receive("vitamin-blend", "VIT-A", 3, days=10)
    await scan_once(inventory.app.state.runtime)
    await publish(inventory, session_event(SessionBooked, uuid.uuid4(), days=5))  # holds VIT-A

    alert = await the_alert(inventory, "expiry")

    assert alert["facts"] == {
        "kind": "expiry",
        "lots": [
            {"lot_number": "VIT-A", "unreserved_vials": 2, "expires_on": in_days(10)},
            {"lot_number": "VIT-B", "unreserved_vials": 2, "expires_on": in_days(12)},
        ],
    }
    assert alert["message"] == (
        f"2 unreserved vials of lot VIT-A expire on {in_days(10)}. "
        f"2 unreserved vials of lot VIT-B expire on {in_days(12)}."
    )


async def test_a_reorder_says_its_quantity_and_the_projection_behind_it(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 2)  # against a safety stock of 20

    alert = await the_alert(inventory, "reorder")

    facts = alert["facts"]
    assert (facts["kind"], facts["projected"], facts["safety_stock"]) == ("reorder", 2, 20)
    assert facts["quantity"] > 0
    lead_time = facts["lead_time_days"]
    assert facts["projected_on"] == in_days(lead_time)
    assert alert["message"] == (
        f"Reorder {facts['quantity']} Caffeine 2.5%: 2 projected on {in_days(lead_time)} "
        f"(lead time {lead_time} days) is below the safety stock of 20."
    )


async def test_a_reorder_no_longer_needed_has_null_facts(inventory: Inventory) -> None:
    lot = await inventory.receive("caffeine", "CAF-1", 2)
    count = {"lot_id": lot["id"], "kind": "count_correction", "quantity": 60, "reason": "found"}
    assert (await inventory.client.post("/v1/adjustments", json=count, headers=STOCK)).is_success

    alert = await the_alert(inventory, "reorder")

    assert alert["facts"] == {
        "kind": "reorder",
        "quantity": None,
        "projected": None,
        "projected_on": None,
        "lead_time_days": None,
        "safety_stock": None,
    }
    assert alert["message"].endswith("no reorder is needed any more.")


async def test_a_recalled_lot_used_says_the_sessions_day_and_the_lot(
    inventory: Inventory,
) -> None:
    recalled = await inventory.receive("caffeine", "CAF-BAD", 5)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    await inventory.client.post(f"/v1/lots/{recalled['id']}/recall", headers=bearer("admin"))
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session, days=3))
    used = [ProductUsed(product_code="caffeine", lot_number="caf-bad", quantity=1)]
    await publish(inventory, session_event(SessionCompleted, session, days=3, products_used=used))

    alert = await the_alert(inventory, "recalled_lot_used")

    assert alert["facts"] == {
        "kind": "recalled_lot_used",
        "session_on": in_days(3),
        "lot_number": "CAF-BAD",
    }
    assert alert["product_name"] == "Caffeine 2.5%"
    assert alert["message"].startswith(f"Critical: the session on {in_days(3)} was recorded")


async def test_an_overdue_order_says_its_supplier_day_and_lines_due(
    inventory: Inventory,
) -> None:
    order = await sent(inventory)
    runtime = inventory.app.state.runtime
    runtime.clock = lambda: utcnow() + timedelta(days=6)
    await scan_once(runtime)

    alert = await the_alert(inventory, "order_overdue")

    assert date.fromisoformat(order["expected_on"]) < clinic_today() + timedelta(days=6)
    assert alert["facts"] == {
        "kind": "order_overdue",
        "order_id": order["id"],
        "supplier_name": "Meso Pharma",
        "expected_on": order["expected_on"],
        "lines": [
            {"product_code": "glycolic-acid", "product_name": "Glycolic acid 10%", "due": 40},
            {"product_code": "lidocaine", "product_name": "Lidocaine 2%", "due": 10},
        ],
    }
    assert alert["message"] == (
        f"The order to Meso Pharma expected on {order['expected_on']} has not arrived: "
        "40 Glycolic acid 10%, 10 Lidocaine 2% still due."
    )


async def test_the_openapi_schema_documents_each_kinds_facts(inventory: Inventory) -> None:
    schema = (await inventory.client.get("/openapi.json")).json()
    facts = schema["components"]["schemas"]["AlertPublic"]["properties"]["facts"]

    [union, null] = facts["anyOf"]
    assert null == {"type": "null"}
    assert set(union["discriminator"]["mapping"]) == {
        "shortage",
        "expiry",
        "reorder",
        "recalled_lot_used",
        "order_overdue",
    }
    assert (
        "in English"
        in schema["components"]["schemas"]["AlertPublic"]["properties"]["message"]["description"]
    )
