"""The daily scan: each expiring lot and each reorder announced once, however many replicas."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from clinic_shared.db import utcnow
from clinic_testing.helpers import bearer, clinic_today, eventually, running
from inventory.adapters.orm import lots
from inventory.bootstrap import build_app
from inventory.entrypoints.workers import scan_once
from inventory.settings import InventorySettings

from .conftest import STOCK, Inventory
from .events import emitted


async def scan_twice_at_once(inventory: Inventory) -> None:
    runtime = inventory.app.state.runtime
    await asyncio.gather(scan_once(runtime), scan_once(runtime))


async def test_a_lot_with_free_vials_expiring_soon_is_announced_once(inventory: Inventory) -> None:
    soon = await inventory.receive("lidocaine", "LID-SOON", 4, days=12)
    await inventory.receive("lidocaine", "LID-LATE", 40, days=200)

    await scan_twice_at_once(inventory)
    await scan_twice_at_once(inventory)

    [event] = await emitted(inventory, "inventory.lot.expiring")
    assert (event["lot_id"], event["unreserved_quantity"]) == (soon["id"], 4)
    alerts = (await inventory.client.get("/v1/alerts", headers=STOCK)).json()
    assert [a["lot_id"] for a in alerts if a["kind"] == "expiry"] == [soon["id"]]


async def test_reorder_is_suggested_once_per_product_until_dismissed_or_restocked(
    inventory: Inventory,
) -> None:
    for code in ("caffeine", "l-carnitine", "artichoke", "vitamin-blend", "glycolic-acid"):
        await inventory.receive(code, f"{code}-1", 500, days=300)

    await scan_twice_at_once(inventory)
    [suggested] = await emitted(inventory, "inventory.reorder.suggested")
    assert suggested["product_code"] == "lidocaine"
    assert suggested["quantity"] >= 10  # covers the safety stock at least

    [alert] = [
        a
        for a in (await inventory.client.get("/v1/alerts", headers=STOCK)).json()
        if a["kind"] == "reorder"
    ]
    await inventory.client.post(f"/v1/alerts/{alert['id']}/dismiss", headers=STOCK)
    await scan_twice_at_once(inventory)
    assert len(await emitted(inventory, "inventory.reorder.suggested")) == 1

    await inventory.receive("lidocaine", "LID-SMALL", 2, days=300)  # arrives, still too little
    await scan_twice_at_once(inventory)
    assert len(await emitted(inventory, "inventory.reorder.suggested")) == 2


async def test_the_scan_sets_lots_past_their_expiry_aside(inventory: Inventory) -> None:
    lot = await inventory.receive("caffeine", "CAF-1", 5, days=30)
    runtime = inventory.app.state.runtime
    runtime.clock = lambda: utcnow() + timedelta(days=31)

    await scan_once(runtime)

    listed = await inventory.client.get("/v1/lots", params={"status": "expired"}, headers=STOCK)
    assert [x["id"] for x in listed.json()] == [lot["id"]]
    assert [r.status for r in await inventory.rows(lots)] == ["expired"]


async def test_two_replicas_running_the_scan_loop_announce_an_expiring_lot_once(
    make_settings,
) -> None:
    settings = await make_settings(
        InventorySettings, scan_first_after_seconds=0.2, scan_interval_seconds=0.05
    )
    first, second = build_app(settings), build_app(settings)
    async with running(first) as client, running(second):
        body = {"product_code": "caffeine", "lot_number": "CAF-SOON", "quantity": 3}
        body["expires_on"] = (clinic_today() + timedelta(days=5)).isoformat()
        assert (await client.post("/v1/receipts", json=body, headers=bearer("admin"))).is_success
        inventory = Inventory(first, client)

        async def announced() -> int:
            return len(await emitted(inventory, "inventory.lot.expiring"))

        await eventually(announced, until=lambda n: n >= 1)
        for _ in range(3):  # more passes of both loops
            await asyncio.gather(scan_once(first.state.runtime), scan_once(second.state.runtime))
        assert await announced() == 1
