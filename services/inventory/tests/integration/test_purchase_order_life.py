"""A purchase order's life through the API: edited as a draft, sent, received lot by lot
(partial receipts, a known lot topped up), cancelled; bad transitions and receipts refused."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from clinic_shared.db import utcnow
from clinic_testing.helpers import bearer, clinic_today
from inventory.adapters.orm import lots, purchase_order_receipts
from inventory.entrypoints.workers import scan_once

from .conftest import STOCK, Inventory
from .events import emitted
from .purchasing import glycolic_clinic

LINES = {
    "lines": [
        {"product_code": "glycolic-acid", "quantity": 40},
        {"product_code": "lidocaine", "quantity": 10},
    ]
}


def lot(
    product: str = "glycolic-acid", number: str = "GLY-2", quantity: int = 25, **over: Any
) -> dict[str, Any]:
    expires_on = (clinic_today() + timedelta(days=400)).isoformat()
    body = {
        "product_code": product,
        "lot_number": number,
        "expires_on": expires_on,
        "quantity": quantity,
    }
    return body | over


async def proposed(inventory: Inventory) -> dict[str, Any]:
    await glycolic_clinic(inventory)
    [draft] = (await inventory.client.post("/v1/order-proposals", headers=STOCK)).json()
    return dict(draft)


async def sent(inventory: Inventory) -> dict[str, Any]:
    draft = await proposed(inventory)
    client = inventory.client
    assert (
        await client.put(f"/v1/purchase-orders/{draft['id']}/lines", json=LINES, headers=STOCK)
    ).is_success
    answer = await client.post(f"/v1/purchase-orders/{draft['id']}/send", headers=STOCK)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def assert_problem(answer: httpx.Response, status: int, field: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field], answer.text


async def test_a_draft_is_edited_sent_and_received_in_two_parts(inventory: Inventory) -> None:
    draft = await proposed(inventory)
    client, url = inventory.client, f"/v1/purchase-orders/{draft['id']}"

    edited = await client.put(f"{url}/lines", json=LINES, headers=STOCK)
    assert [(x["product_code"], x["quantity"], x["reason"]) for x in edited.json()["lines"]] == [
        ("glycolic-acid", 40, draft["lines"][0]["reason"]),
        ("lidocaine", 10, "added by staff"),
    ]
    order = (await client.post(f"{url}/send", headers=STOCK)).json()
    assert (order["status"], order["due"]) == ("sent", 50)
    assert order["expected_on"] == (clinic_today() + timedelta(days=5)).isoformat()
    [announced] = await emitted(inventory, "inventory.purchase_order.sent")
    assert (announced["supplier_email"], announced["expected_on"]) == (
        "orders@meso.example",
        order["expected_on"],
    )
    assert [(x["product_name"], x["quantity"]) for x in announced["lines"]] == [
        ("Glycolic acid 10%", 40),
        ("Lidocaine 2%", 10),
    ]

    first = await client.post(f"{url}/receipts", json=lot(quantity=25), headers=STOCK)
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["due"]) == ("partially_received", 25)
    # The second part of the lot, its number spelled otherwise, tops up the same lot.
    second = await client.post(
        f"{url}/receipts", json=lot(number=" gly-2", quantity=15), headers=STOCK
    )
    assert (second.json()["status"], second.json()["due"]) == ("partially_received", 10)
    done = await client.post(f"{url}/receipts", json=lot("lidocaine", "LID-9", 10), headers=STOCK)
    assert (done.json()["status"], done.json()["due"]) == ("received", 0)
    assert [(x["received"], x["due"]) for x in done.json()["lines"]] == [(40, 0), (10, 0)]

    glycolic = {
        r.lot_number: r for r in await inventory.rows(lots) if r.product_code == "glycolic-acid"
    }
    assert glycolic["GLY-2"].quantity == 40
    # The 4 vials the booked sessions lacked were reserved from the delivery.
    assert sum(r.reserved for r in glycolic.values()) == 24
    received = await emitted(inventory, "inventory.purchase_order.received")
    assert [(e["quantity"], e["complete"]) for e in received] == [
        (25, False),
        (15, False),
        (10, True),
    ]
    assert len(await inventory.rows(purchase_order_receipts)) == 3


async def test_steps_the_status_does_not_allow_are_409_and_change_nothing(
    inventory: Inventory,
) -> None:
    order = await sent(inventory)
    client, url = inventory.client, f"/v1/purchase-orders/{order['id']}"
    assert_problem(await client.put(f"{url}/lines", json=LINES, headers=STOCK), 409, "status")
    assert_problem(await client.post(f"{url}/send", headers=STOCK), 409, "status")
    assert (await client.post(f"{url}/receipts", json=lot(quantity=40), headers=STOCK)).is_success
    assert (
        await client.post(f"{url}/receipts", json=lot("lidocaine", "L", 10), headers=STOCK)
    ).is_success
    assert_problem(await client.post(f"{url}/cancel", headers=STOCK), 409, "status")
    assert_problem(
        await client.post(f"{url}/receipts", json=lot(quantity=1, over_reason="x"), headers=STOCK),
        409,
        "status",
    )
    assert (await client.get(url, headers=STOCK)).json()["status"] == "received"


async def test_a_draft_cannot_be_received_and_a_cancelled_one_cannot_be_sent(
    inventory: Inventory,
) -> None:
    draft = await proposed(inventory)
    client, url = inventory.client, f"/v1/purchase-orders/{draft['id']}"
    assert_problem(await client.post(f"{url}/receipts", json=lot(), headers=STOCK), 409, "status")
    cancelled = await client.post(f"{url}/cancel", headers=STOCK)
    assert cancelled.json()["status"] == "cancelled"
    assert_problem(await client.post(f"{url}/send", headers=STOCK), 409, "status")
    assert [
        e["order_id"] for e in await emitted(inventory, "inventory.purchase_order.cancelled")
    ] == [draft["id"]]


async def test_cancelling_releases_the_lines_so_the_need_is_proposed_again(
    inventory: Inventory,
) -> None:
    order = await sent(inventory)
    client = inventory.client
    assert (await client.post("/v1/order-proposals", headers=STOCK)).json() == []
    assert (
        await client.post(f"/v1/purchase-orders/{order['id']}/cancel", headers=STOCK)
    ).is_success
    [again] = (await client.post("/v1/order-proposals", headers=STOCK)).json()
    assert again["id"] != order["id"]
    assert again["lines"][0]["quantity"] == 30


async def test_receiving_more_than_is_due_needs_a_reason(inventory: Inventory) -> None:
    order = await sent(inventory)
    client, url = inventory.client, f"/v1/purchase-orders/{order['id']}"
    refused = await client.post(f"{url}/receipts", json=lot(quantity=41), headers=STOCK)
    assert_problem(refused, 422, "body.over_reason")
    assert refused.json()["due"] == 40
    assert [r for r in await inventory.rows(lots) if r.lot_number == "GLY-2"] == []
    other = await client.post(f"{url}/receipts", json=lot("caffeine", "CAF-1", 5), headers=STOCK)
    assert_problem(other, 422, "body.product_code")
    reason = "supplier sent a full carton"
    accepted = await client.post(
        f"{url}/receipts", json=lot(quantity=48, over_reason=reason), headers=STOCK
    )
    assert accepted.status_code == 200, accepted.text
    assert [(x["received"], x["due"]) for x in accepted.json()["lines"]] == [(48, 0), (0, 10)]
    [row] = await inventory.rows(purchase_order_receipts)
    assert row.over_reason == reason


async def test_bad_order_bodies_are_refused_naming_the_field(inventory: Inventory) -> None:
    order = await proposed(inventory)
    client, url = inventory.client, f"/v1/purchase-orders/{order['id']}"
    for quantity in (0, -3, "5", True, 2.5):
        body = {"lines": [{"product_code": "glycolic-acid", "quantity": quantity}]}
        assert_problem(
            await client.put(f"{url}/lines", json=body, headers=STOCK), 422, "body.lines.0.quantity"
        )
    twice = {"lines": [{"product_code": "lidocaine", "quantity": 1}] * 2}
    assert_problem(
        await client.put(f"{url}/lines", json=twice, headers=STOCK),
        422,
        "body.lines.1.product_code",
    )
    unknown = {"lines": [{"product_code": "unobtainium", "quantity": 1}]}
    assert_problem(
        await client.put(f"{url}/lines", json=unknown, headers=STOCK),
        404,
        "body.lines.0.product_code",
    )
    assert_problem(
        await client.put(f"{url}/lines", json={"lines": []}, headers=STOCK), 422, "body.lines"
    )
    missing = "/v1/purchase-orders/00000000-0000-0000-0000-000000000000"
    assert_problem(await client.post(f"{missing}/send", headers=STOCK), 404, "path.order_id")
    assert (await client.get(url, headers=bearer("receptionist"))).status_code == 403
    assert (await client.get(url, headers=STOCK)).json()["lines"] == order["lines"]


async def test_a_hand_made_draft_and_a_second_one_for_the_same_supplier(
    inventory: Inventory,
) -> None:
    draft = await proposed(inventory)
    body = {
        "supplier_id": draft["supplier_id"],
        "lines": [{"product_code": "lidocaine", "quantity": 5}],
    }
    refused = await inventory.client.post("/v1/purchase-orders", json=body, headers=STOCK)
    assert_problem(refused, 409, "body.supplier_id")
    assert (
        await inventory.client.post(f"/v1/purchase-orders/{draft['id']}/send", headers=STOCK)
    ).is_success
    made = await inventory.client.post("/v1/purchase-orders", json=body, headers=STOCK)
    assert made.status_code == 201, made.text
    assert made.json()["lines"] == [
        {
            "product_code": "lidocaine",
            "quantity": 5,
            "received": 0,
            "due": 5,
            "reason": "added by staff",
        }
    ]


async def test_two_staff_receiving_the_same_order_at_once_never_over_receive(
    inventory: Inventory,
) -> None:
    order = await sent(inventory)
    url = f"/v1/purchase-orders/{order['id']}/receipts"
    answers = await asyncio.gather(
        *(
            inventory.client.post(url, json=lot(number=f"NEW-{i}", quantity=30), headers=STOCK)
            for i in range(3)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 422, 422]
    final = (await inventory.client.get(f"/v1/purchase-orders/{order['id']}", headers=STOCK)).json()
    assert final["lines"][0]["received"] == 30
    delivered = [r.quantity for r in await inventory.rows(lots) if r.lot_number.startswith("NEW-")]
    assert delivered == [30]


async def test_an_order_past_its_expected_day_is_overdue_and_raises_an_alert_once(
    inventory: Inventory,
) -> None:
    order = await sent(inventory)
    runtime = inventory.app.state.runtime
    runtime.clock = lambda: utcnow() + timedelta(days=6)

    await asyncio.gather(scan_once(runtime), scan_once(runtime))

    read = await inventory.client.get(f"/v1/purchase-orders/{order['id']}", headers=STOCK)
    assert read.json()["overdue"] is True
    alerts = (await inventory.client.get("/v1/alerts", headers=STOCK)).json()
    [late] = [a for a in alerts if a["kind"] == "order_overdue"]
    assert late["message"].startswith("The order to Meso Pharma expected on")
    assert "40 Glycolic acid 10%, 10 Lidocaine 2% still due" in late["message"]
    assert (
        await inventory.client.post(f"/v1/purchase-orders/{order['id']}/cancel", headers=STOCK)
    ).is_success
    alerts = (await inventory.client.get("/v1/alerts", headers=STOCK)).json()
    assert [a for a in alerts if a["kind"] == "order_overdue"] == []
