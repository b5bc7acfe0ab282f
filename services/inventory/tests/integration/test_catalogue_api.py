"""Products and kits: seeded for every clinic, edited by stock staff, read by everyone."""

from __future__ import annotations

from clinic_testing.helpers import bearer, running
from inventory.adapters.orm import kit_items, products
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings

from .conftest import STOCK, Inventory

SEEDED = {"caffeine", "l-carnitine", "artichoke", "vitamin-blend", "glycolic-acid", "lidocaine"}
SERUM = {
    "code": "silicium",
    "name": "Organic silicium",
    "volume_ml": 5,
    "lead_time_days": 10,
    "safety_stock": 4,
}


async def test_fresh_database_has_the_catalogue_from_its_migrations_alone(make_settings) -> None:
    app = build_app(await make_settings(InventorySettings, seed_demo_data=False))
    async with running(app) as client:
        listed = await client.get("/v1/products", headers=bearer("practitioner"))
        arms = await client.get("/v1/kits/cellulite-arms", headers=bearer("receptionist"))
    assert {p["code"] for p in listed.json()} == SEEDED
    assert arms.status_code == 200
    assert {i["product_code"] for i in arms.json()["items"]} == {"caffeine", "vitamin-blend"}


async def test_every_seeded_treatment_has_a_kit_and_thighs_use_more_than_arms(
    inventory: Inventory,
) -> None:
    totals = {}
    for area in ("thighs", "buttocks", "abdomen", "calves", "arms", "thighs-intensive"):
        kit = await inventory.client.get(f"/v1/kits/cellulite-{area}", headers=bearer("admin"))
        assert kit.status_code == 200, kit.text
        totals[area] = sum(i["quantity"] for i in kit.json()["items"])
    assert totals["thighs"] > totals["calves"] > totals["arms"]
    assert totals["thighs-intensive"] == totals["thighs"]
    product = await inventory.client.get("/v1/products/caffeine", headers=STOCK)
    assert product.json()["unit"] == "vial"
    assert product.json()["lead_time_days"] > 0


async def test_stock_manager_creates_and_edits_a_product(inventory: Inventory) -> None:
    created = await inventory.client.post("/v1/products", json=SERUM, headers=STOCK)
    again = await inventory.client.post("/v1/products", json=SERUM, headers=bearer("admin"))
    edited = await inventory.client.patch(
        "/v1/products/silicium", json={"safety_stock": 12, "reorder_quantity": 50}, headers=STOCK
    )
    assert created.status_code == 201, created.text
    assert created.json()["unit"] == "vial"
    assert again.status_code == 409
    assert edited.status_code == 200
    assert (edited.json()["safety_stock"], edited.json()["reorder_quantity"]) == (12, 50)
    assert edited.json()["name"] == "Organic silicium"


async def test_invalid_or_unauthorised_product_changes_write_nothing(inventory: Inventory) -> None:
    client = inventory.client
    bad = await client.post(
        "/v1/products", json=SERUM | {"code": "Bad Code", "safety_stock": -1}, headers=STOCK
    )
    desk = await client.post("/v1/products", json=SERUM, headers=bearer("receptionist"))
    negative = await client.patch(
        "/v1/products/caffeine", json={"lead_time_days": -3}, headers=STOCK
    )
    unknown = await client.patch("/v1/products/unobtainium", json={"name": "x"}, headers=STOCK)
    null = await client.patch("/v1/products/caffeine", json={"name": None}, headers=STOCK)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in bad.json()["errors"]} == {"body.code", "body.safety_stock"}
    assert desk.status_code == 403
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["field"] == "body.lead_time_days"
    assert unknown.status_code == 404
    assert null.status_code == 422
    assert null.json()["errors"][0]["field"] == "body.name"
    assert len(await inventory.rows(products)) == len(SEEDED)


async def test_admin_replaces_a_kit_and_a_bad_kit_changes_nothing(inventory: Inventory) -> None:
    client = inventory.client
    kit = {
        "items": [
            {"product_code": "caffeine", "quantity": 3},
            {"product_code": "lidocaine", "quantity": 1},
        ]
    }
    replaced = await client.put("/v1/kits/cellulite-thighs", json=kit, headers=bearer("admin"))
    broken = {
        "items": [
            {"product_code": "caffeine", "quantity": 1},
            {"product_code": "mystery", "quantity": 1},
        ]
    }
    refused = await client.put("/v1/kits/cellulite-thighs", json=broken, headers=STOCK)
    zero = await client.put(
        "/v1/kits/cellulite-thighs",
        json={"items": [{"product_code": "caffeine", "quantity": 0}]},
        headers=STOCK,
    )
    practitioner = await client.put(
        "/v1/kits/cellulite-thighs", json=kit, headers=bearer("practitioner")
    )
    read = await client.get("/v1/kits/cellulite-thighs", headers=bearer("practitioner"))
    missing = await client.get("/v1/kits/cellulite-ears", headers=STOCK)

    assert replaced.status_code == 200, replaced.text
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "body.items.1.product_code", "reason": "unknown product 'mystery'"}
    ]
    assert zero.status_code == 422
    assert zero.json()["errors"][0]["field"] == "body.items.0.quantity"
    assert practitioner.status_code == 403
    assert read.json() == {"treatment_code": "cellulite-thighs", "items": kit["items"]}
    assert missing.status_code == 404
    thighs = [r for r in await inventory.rows(kit_items) if r.treatment_code == "cellulite-thighs"]
    assert len(thighs) == 2


def line(product_code: str, quantity: int) -> dict[str, object]:
    return {"product_code": product_code, "quantity": quantity}
