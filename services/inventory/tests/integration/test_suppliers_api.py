"""Suppliers: terms per product, one preferred supplier per product, bad input named."""

from __future__ import annotations

import asyncio
from typing import Any

from clinic_testing.helpers import bearer
from inventory.adapters.orm import supplier_products, suppliers

from .conftest import STOCK, Inventory


def terms(product: str = "caffeine", **over: Any) -> dict[str, Any]:
    base = {"product_code": product, "lead_time_days": 5, "pack_size": 10, "minimum_order": 20}
    return base | over


def supplier(name: str = "Meso Pharma", **over: Any) -> dict[str, Any]:
    body = {"name": name, "email": "orders@meso.example", "products": [terms(preferred=True)]}
    return body | over


async def test_a_supplier_is_added_read_and_replaced(inventory: Inventory) -> None:
    client = inventory.client
    body = supplier(products=[terms(unit_price=1.25, preferred=True), terms("lidocaine")])
    added = await client.post("/v1/suppliers", json=body, headers=STOCK)
    assert added.status_code == 201, added.text
    supplier_id = added.json()["id"]
    assert added.json()["products"] == [
        {
            "product_code": "caffeine",
            "lead_time_days": 5,
            "pack_size": 10,
            "minimum_order": 20,
            "unit_price": "1.25",
            "preferred": True,
        },
        {
            "product_code": "lidocaine",
            "lead_time_days": 5,
            "pack_size": 10,
            "minimum_order": 20,
            "unit_price": None,
            "preferred": False,
        },
    ]
    replaced = await client.put(
        f"/v1/suppliers/{supplier_id}",
        json=supplier(name="Meso Pharma SA", email=None, products=[terms("lidocaine")]),
        headers=bearer("admin"),
    )
    assert replaced.status_code == 200, replaced.text
    read = await client.get(f"/v1/suppliers/{supplier_id}", headers=STOCK)
    assert read.json() == replaced.json()
    assert read.json()["name"] == "Meso Pharma SA"
    assert read.json()["email"] is None
    assert [p["product_code"] for p in read.json()["products"]] == ["lidocaine"]
    listed = await client.get("/v1/suppliers", headers=STOCK)
    assert [s["id"] for s in listed.json()] == [supplier_id]


async def test_bad_suppliers_are_refused_naming_the_field_and_write_nothing(
    inventory: Inventory,
) -> None:
    post = inventory.client.post
    cases = {
        "body.products.0.pack_size": supplier(products=[terms(pack_size=0)]),
        "body.products.0.minimum_order": supplier(products=[terms(minimum_order="5")]),
        "body.products.0.lead_time_days": supplier(products=[terms(lead_time_days=-1)]),
        "body.products.0.unit_price": supplier(products=[terms(unit_price=-1)]),
        "body.email": supplier(email="not an address"),
        "body.name": supplier(name=""),
        "body.products.1.product_code": supplier(products=[terms(), terms()]),
        "body.products.0.product_code": supplier(products=[terms("unobtainium")]),
    }
    for field, body in cases.items():
        refused = await post("/v1/suppliers", json=body, headers=STOCK)
        assert refused.status_code == 422, (field, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == [field], refused.text
    desk = await post("/v1/suppliers", json=supplier(), headers=bearer("receptionist"))
    assert desk.status_code == 403
    assert await inventory.rows(suppliers) == []
    assert await inventory.rows(supplier_products) == []


async def test_a_product_is_preferred_from_one_supplier_only(inventory: Inventory) -> None:
    post = inventory.client.post
    first = await post("/v1/suppliers", json=supplier(), headers=STOCK)
    second = await post("/v1/suppliers", json=supplier("Other Labs"), headers=STOCK)
    assert first.status_code == 201
    assert second.status_code == 409, second.text
    assert second.json()["errors"] == [
        {"field": "body.products.0.preferred", "reason": "already preferred from Meso Pharma"}
    ]
    not_preferred = supplier("Other Labs", products=[terms(preferred=False)])
    assert (await post("/v1/suppliers", json=not_preferred, headers=STOCK)).status_code == 201
    # The first one gives the preference up; then the other may take it.
    first_id = first.json()["id"]
    put = inventory.client.put
    given_up = supplier(products=[terms(preferred=False)])
    assert (await put(f"/v1/suppliers/{first_id}", json=given_up, headers=STOCK)).is_success
    third = await post("/v1/suppliers", json=supplier("Third"), headers=STOCK)
    assert third.status_code == 201


async def test_two_suppliers_claiming_one_product_at_once_leave_one_preferred(
    inventory: Inventory,
) -> None:
    answers = await asyncio.gather(
        *(
            inventory.client.post("/v1/suppliers", json=supplier(f"S{i}"), headers=STOCK)
            for i in range(4)
        )
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    assert len(await inventory.rows(suppliers)) == 1


async def test_an_unknown_supplier_is_a_404_naming_the_path(inventory: Inventory) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    read = await inventory.client.get(f"/v1/suppliers/{missing}", headers=STOCK)
    put = await inventory.client.put(f"/v1/suppliers/{missing}", json=supplier(), headers=STOCK)
    for answer in (read, put):
        assert answer.status_code == 404
        assert answer.json()["errors"][0]["field"] == "path.supplier_id"
