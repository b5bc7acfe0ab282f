"""Requests Schemathesis found accepted or answered outside the OpenAPI, kept as they were sent."""

from __future__ import annotations

from clinic_testing.helpers import bearer

from .conftest import Inventory

ADMIN = bearer("admin")


async def test_a_review_period_sent_as_false_is_refused_not_stored_as_zero(
    inventory: Inventory,
) -> None:
    body = {
        "code": "00",
        "lead_time_days": 0,
        "name": "0",
        "reorder_quantity": 1,
        "review_period_days": False,
        "safety_stock": 0,
        "unit": "vial",
        "volume_ml": 5e-324,
    }
    response = await inventory.client.post("/v1/products", json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["body.review_period_days"]
    assert (await inventory.client.get("/v1/products/00", headers=ADMIN)).status_code == 404


async def test_options_on_a_product_lists_every_method_it_takes(inventory: Inventory) -> None:
    response = await inventory.client.options("/v1/products/00", headers=ADMIN)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "PATCH"}
