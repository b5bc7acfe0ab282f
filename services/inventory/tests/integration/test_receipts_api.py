"""Receipts add stock to lots; an expired lot or a changed expiry is refused, writing nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from clinic_testing.helpers import bearer, clinic_today, running
from inventory.adapters.orm import lots, receipts
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings

from .conftest import STOCK, Inventory


def receipt(lot: str = "CAF-1", days: int = 90, quantity: int = 10, **over: object) -> dict:
    expires_on = (clinic_today() + timedelta(days=days)).isoformat()
    body = {"product_code": "caffeine", "lot_number": lot, "expires_on": expires_on}
    return body | {"quantity": quantity} | over


async def test_a_delivery_creates_its_lot_and_a_second_one_adds_to_it(inventory: Inventory) -> None:
    first = await inventory.client.post("/v1/receipts", json=receipt(), headers=STOCK)
    second = await inventory.client.post("/v1/receipts", json=receipt(quantity=5), headers=STOCK)
    assert first.status_code == second.status_code == 201, second.text
    assert second.json()["id"] == first.json()["id"]
    assert second.json() | {"id": None} == {
        "id": None,
        "product_code": "caffeine",
        "lot_number": "CAF-1",
        "expires_on": receipt()["expires_on"],
        "quantity": 15,
        "reserved": 0,
        "consumed": 0,
        "on_hand": 15,
        "available": 15,
        "status": "available",
    }
    assert [r.quantity for r in await inventory.rows(receipts)] == [10, 5]


async def test_bad_receipts_are_refused_with_a_problem_and_write_nothing(
    inventory: Inventory,
) -> None:
    post = inventory.client.post
    await post("/v1/receipts", json=receipt(), headers=STOCK)
    other_expiry = await post("/v1/receipts", json=receipt(days=120), headers=STOCK)
    expired = await post("/v1/receipts", json=receipt(lot="OLD", days=0), headers=STOCK)
    negative = await post("/v1/receipts", json=receipt(lot="NEG", quantity=-4), headers=STOCK)
    unknown = await post("/v1/receipts", json=receipt(product_code="unobtainium"), headers=STOCK)
    desk = await post("/v1/receipts", json=receipt(lot="DESK"), headers=bearer("receptionist"))

    assert other_expiry.status_code == 409
    assert other_expiry.json()["expires_on"] == receipt()["expires_on"]
    assert expired.status_code == 422
    assert expired.json()["errors"][0]["field"] == "body.expires_on"
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["field"] == "body.quantity"
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "body.product_code"
    assert desk.status_code == 403
    for response in (other_expiry, expired, negative, unknown, desk):
        assert response.headers["content-type"] == "application/problem+json"
    assert [(r.lot_number, r.quantity) for r in await inventory.rows(lots)] == [("CAF-1", 10)]
    assert len(await inventory.rows(receipts)) == 1


async def test_lots_are_listed_by_product_and_status(inventory: Inventory) -> None:
    await inventory.receive("caffeine", "CAF-LATE", 5, days=300)
    await inventory.receive("caffeine", "CAF-SOON", 5, days=20)
    await inventory.receive("lidocaine", "LID-1", 5)
    get = inventory.client.get

    caffeine = await get(
        "/v1/lots", params={"product_code": "caffeine"}, headers=bearer("practitioner")
    )
    available = await get("/v1/lots", params={"status": "available"}, headers=STOCK)
    recalled = await get("/v1/lots", params={"status": "recalled"}, headers=STOCK)
    unknown = await get("/v1/lots", params={"product_code": "unobtainium"}, headers=STOCK)
    wrong_status = await get("/v1/lots", params={"status": "lost"}, headers=STOCK)

    assert [lot["lot_number"] for lot in caffeine.json()] == ["CAF-SOON", "CAF-LATE"]
    assert len(available.json()) == 3
    assert recalled.json() == []
    assert unknown.status_code == 404
    assert wrong_status.status_code == 422
    assert wrong_status.json()["errors"][0]["field"] == "query.status"


async def test_lots_come_in_pages_no_larger_than_the_cap(inventory: Inventory) -> None:
    for n in range(5):
        await inventory.receive("caffeine", f"CAF-{n}", 5, days=100 + n)
    get = inventory.client.get

    first = await get("/v1/lots", params={"limit": 2}, headers=STOCK)
    second = await get("/v1/lots", params={"limit": 2, "offset": 2}, headers=STOCK)
    last = await get("/v1/lots", params={"limit": 2, "offset": 4}, headers=STOCK)
    too_many = await get("/v1/lots", params={"limit": 201}, headers=STOCK)

    pages = [[lot["lot_number"] for lot in page.json()] for page in (first, second, last)]
    assert pages == [["CAF-0", "CAF-1"], ["CAF-2", "CAF-3"], ["CAF-4"]]
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "query.limit"


async def test_demo_seed_stocks_every_product_once(make_settings) -> None:
    settings = await make_settings(InventorySettings, seed_demo_data=True)
    for _ in range(2):  # a restart seeds nothing twice
        async with running(build_app(settings)) as client:
            listed = await client.get("/v1/lots", headers=STOCK)
    assert {lot["product_code"] for lot in listed.json()} >= {"caffeine", "lidocaine"}
    assert len(listed.json()) == 8


async def test_demo_seed_adds_its_suppliers_once_with_the_blend_preferred_from_one(
    make_settings,
) -> None:
    settings = await make_settings(InventorySettings, seed_demo_data=True)
    for _ in range(2):  # a restart seeds nothing twice
        async with running(build_app(settings)) as client:
            listed = (await client.get("/v1/suppliers", headers=STOCK)).json()
    assert [s["name"] for s in listed] == ["Méso Distribution France", "Pharmacie Centrale Lyon"]
    assert all(s["email"].endswith(".example.com") for s in listed)
    preferred = [
        s["name"]
        for s in listed
        for t in s["products"]
        if t["preferred"] and t["product_code"] == "vitamin-blend"
    ]
    assert preferred == ["Méso Distribution France"]


async def test_the_same_new_lot_delivered_in_several_requests_at_once_adds_up(
    inventory: Inventory,
) -> None:
    post = inventory.client.post
    answers = await asyncio.gather(
        *(
            post("/v1/receipts", json=receipt(lot="CAF-TWIN", quantity=3), headers=STOCK)
            for _ in range(5)
        )
    )
    assert [a.status_code for a in answers] == [201] * 5
    assert [(r.lot_number, r.quantity) for r in await inventory.rows(lots)] == [("CAF-TWIN", 15)]
    assert len(await inventory.rows(receipts)) == 5
