"""JSON bodies take numbers and flags as they are typed: "1" and true are never a vial.
(Every body of every service is walked for it in tests/contracts/test_strict_bodies.py.)"""

from __future__ import annotations

import pytest

from inventory.adapters.orm import adjustments, lots

from .conftest import STOCK, Inventory


@pytest.mark.parametrize("quantity", ["1", True, 1.0])
async def test_an_adjustment_quantity_that_is_not_a_json_integer_is_refused_naming_it(
    inventory: Inventory, quantity: object
) -> None:
    lot = await inventory.receive("lidocaine", "LID-1", 4)
    body = {"lot_id": lot["id"], "kind": "breakage", "quantity": quantity, "reason": "dropped"}
    refused = await inventory.client.post("/v1/adjustments", json=body, headers=STOCK)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["body.quantity"]
    assert [r.quantity for r in await inventory.rows(lots)] == [4]
    assert await inventory.rows(adjustments) == []


async def test_a_product_volume_or_lead_time_sent_as_text_or_a_flag_is_refused(
    inventory: Inventory,
) -> None:
    for field, value in (("volume_ml", True), ("volume_ml", "2"), ("lead_time_days", "3")):
        refused = await inventory.client.patch(
            "/v1/products/caffeine", json={field: value}, headers=STOCK
        )
        assert refused.status_code == 422, (field, value, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [f"body.{field}"]
