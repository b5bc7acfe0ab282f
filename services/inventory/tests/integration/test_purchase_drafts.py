"""Draft purchase orders from the forecast: sized from bookings and active courses through the
supplier's lead time plus the cover margin, proposed once per need, by a reorder alert too."""

from __future__ import annotations

import asyncio

from inventory.adapters.orm import purchase_order_lines, purchase_orders
from inventory.entrypoints.workers import scan_once

from .conftest import STOCK, Inventory
from .events import emitted
from .purchasing import glycolic_clinic, terms

REASON = "booked 24, expected 4, on hand 20, cover 7 days"


async def test_a_proposal_sizes_each_line_from_the_forecast_and_says_why(
    inventory: Inventory,
) -> None:
    supplier = await glycolic_clinic(inventory)

    proposed = await inventory.client.post("/v1/order-proposals", headers=STOCK)

    assert proposed.status_code == 200, proposed.text
    [draft] = proposed.json()
    assert (draft["supplier_id"], draft["status"], draft["due"]) == (supplier["id"], "draft", 30)
    # Lidocaine has 100 on hand and nothing booked: no line.
    assert draft["lines"] == [
        {
            "product_code": "glycolic-acid",
            "quantity": 30,
            "received": 0,
            "due": 30,
            "reason": REASON,
        }
    ]
    [event] = await emitted(inventory, "inventory.purchase_order.drafted")
    assert event["order_id"] == draft["id"]
    assert event["lines"][0] | {"product_name": None} == {
        "product_code": "glycolic-acid",
        "product_name": None,
        "quantity": 30,
        "received": 0,
        "unit": "vial",
    }


async def test_a_need_no_supplier_is_preferred_for_is_named_and_drafts_nothing(
    inventory: Inventory,
) -> None:
    supplier = await glycolic_clinic(inventory)
    body = {"name": supplier["name"], "products": [terms(preferred=False), terms("lidocaine")]}
    put = inventory.client.put
    assert (await put(f"/v1/suppliers/{supplier['id']}", json=body, headers=STOCK)).is_success

    proposed = await inventory.client.post("/v1/order-proposals", headers=STOCK)
    unsupplied = await inventory.client.get("/v1/order-proposals/unsupplied", headers=STOCK)

    assert proposed.json() == []
    assert unsupplied.status_code == 200, unsupplied.text
    # Lidocaine is needed by nothing; the other products have no bookings either.
    assert unsupplied.json() == [{"code": "glycolic-acid", "name": "Glycolic acid 10%"}]


async def test_a_longer_cover_margin_counts_the_sessions_it_reaches(inventory: Inventory) -> None:
    await glycolic_clinic(inventory)
    patch = {"cover_days": 30}
    assert (
        await inventory.client.patch("/v1/products/glycolic-acid", json=patch, headers=STOCK)
    ).is_success

    [draft] = (await inventory.client.post("/v1/order-proposals", headers=STOCK)).json()

    # Lead time 5 + cover 30 now reaches the course's third session too (day 22): 12 short.
    assert draft["lines"][0]["reason"] == "booked 24, expected 8, on hand 20, cover 30 days"
    assert draft["lines"][0]["quantity"] == 30


async def test_proposing_again_adds_nothing_for_a_need_already_on_order(
    inventory: Inventory,
) -> None:
    await glycolic_clinic(inventory)
    post = inventory.client.post
    first = await post("/v1/order-proposals", headers=STOCK)
    again = await post("/v1/order-proposals", headers=STOCK)
    assert len(first.json()) == 1
    assert again.json() == []
    assert len(await inventory.rows(purchase_order_lines)) == 1


async def test_proposals_made_at_once_make_one_draft_with_one_line(inventory: Inventory) -> None:
    await glycolic_clinic(inventory)
    answers = await asyncio.gather(
        *(inventory.client.post("/v1/order-proposals", headers=STOCK) for _ in range(4))
    )
    assert [a.status_code for a in answers] == [200] * 4
    assert len(await inventory.rows(purchase_orders)) == 1
    assert [(r.product_code, r.quantity) for r in await inventory.rows(purchase_order_lines)] == [
        ("glycolic-acid", 30)
    ]


async def test_a_reorder_alert_proposes_a_draft_to_the_preferred_supplier_once(
    inventory: Inventory,
) -> None:
    supplier = await glycolic_clinic(inventory)
    runtime = inventory.app.state.runtime

    await asyncio.gather(scan_once(runtime), scan_once(runtime))
    await scan_once(runtime)

    reorders = {e["product_code"] for e in await emitted(inventory, "inventory.reorder.suggested")}
    assert "glycolic-acid" in reorders
    drafts = await inventory.client.get(
        "/v1/purchase-orders", params={"status": "draft"}, headers=STOCK
    )
    [draft] = drafts.json()
    assert draft["supplier_id"] == supplier["id"]
    # Products without a preferred supplier get a reorder alert but no order.
    assert [line["product_code"] for line in draft["lines"]] == ["glycolic-acid"]
    assert draft["lines"][0]["reason"] == REASON
