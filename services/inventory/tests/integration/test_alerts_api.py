"""Alerts: raised when stock changes, grouped per product, their texts computed when read;
stock arriving settles them, a stock manager dismisses them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from clinic_shared.contracts.events import SessionBooked, SessionCompleted
from clinic_testing.helpers import bearer, clinic_today, eventually
from inventory.adapters.orm import alerts
from inventory.entrypoints.workers import scan_once

from .conftest import STOCK, Inventory
from .events import emitted, publish, session_event


async def open_alerts(inventory: Inventory, kind: str | None = None) -> list[dict]:
    response = await inventory.client.get("/v1/alerts", headers=bearer("practitioner"))
    assert response.status_code == 200, response.text
    return [a for a in response.json() if kind in (None, a["kind"])]


async def test_a_shortage_opens_an_alert_that_arriving_stock_settles(inventory: Inventory) -> None:
    await inventory.receive("caffeine", "CAF-1", 5)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session))

    [alert] = await open_alerts(inventory, "shortage")
    assert (alert["product_code"], alert["count"]) == ("vitamin-blend", 1)
    assert alert["session_id"] == str(session)

    await inventory.receive("vitamin-blend", "VIT-1", 5)
    assert await open_alerts(inventory, "shortage") == []


async def test_a_dismissed_alert_is_no_longer_listed(inventory: Inventory) -> None:
    await publish(inventory, session_event(SessionBooked, uuid.uuid4()))
    alerts = await open_alerts(inventory, "shortage")
    assert {a["product_code"] for a in alerts} == {"caffeine", "vitamin-blend"}

    url = f"/v1/alerts/{alerts[0]['id']}/dismiss"
    practitioner = await inventory.client.post(url, headers=bearer("practitioner"))
    dismissed = await inventory.client.post(url, headers=STOCK)
    unknown = await inventory.client.post(f"/v1/alerts/{uuid.uuid4()}/dismiss", headers=STOCK)

    assert practitioner.status_code == 403
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    assert unknown.status_code == 404
    assert [a["id"] for a in await open_alerts(inventory, "shortage")] == [alerts[1]["id"]]


async def reorders(inventory: Inventory, product: str) -> list[dict]:
    return [a for a in await open_alerts(inventory, "reorder") if a["product_code"] == product]


async def put_kit(inventory: Inventory, treatment: str, caffeine: int) -> None:
    body = {"items": [{"product_code": "caffeine", "quantity": caffeine}]}
    answer = await inventory.client.put(f"/v1/kits/{treatment}", json=body, headers=STOCK)
    assert answer.status_code == 200, answer.text


async def test_a_delivery_too_small_raises_a_reorder_at_once_and_the_stock_says_so(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 2)  # against a safety stock of 20; no scan runs

    [alert] = await reorders(inventory, "caffeine")
    stock = await inventory.client.get("/v1/stock", headers=bearer("receptionist"))
    [caffeine] = [s for s in stock.json() if s["product_code"] == "caffeine"]
    assert alert["message"].startswith("Reorder ")
    assert [e["product_code"] for e in await emitted(inventory, "inventory.reorder.suggested")] == [
        "caffeine"
    ]
    assert caffeine["projected_stockout_on"] is None  # nothing booked: no stock-out foreseen ...
    assert caffeine["below_safety_stock_on"] == clinic_today().isoformat()  # ... but too few
    assert caffeine["reorder_quantity"] > 0


async def test_a_count_that_finds_fewer_vials_raises_a_reorder_at_once(
    inventory: Inventory,
) -> None:
    lot = await inventory.receive("caffeine", "CAF-1", 40)
    assert await reorders(inventory, "caffeine") == []
    count = {"lot_id": lot["id"], "kind": "count_correction", "quantity": 2, "reason": "count"}

    answer = await inventory.client.post("/v1/adjustments", json=count, headers=STOCK)

    assert answer.status_code == 201, answer.text
    assert len(await reorders(inventory, "caffeine")) == 1


async def test_a_booking_and_a_completion_raise_the_reorder_they_call_for(
    inventory: Inventory,
) -> None:
    await put_kit(inventory, "two-caf", caffeine=2)
    await inventory.receive("caffeine", "CAF-1", 21)
    later = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, later, days=30, treatment="two-caf"))
    # Thirty days out, past the lead time of 7: 21 are still there when a delivery could come.
    assert await reorders(inventory, "caffeine") == []

    await publish(inventory, session_event(SessionCompleted, later, days=30, treatment="two-caf"))
    [by_completion] = await eventually(lambda: reorders(inventory, "caffeine"))  # 19 left
    await inventory.client.post(f"/v1/alerts/{by_completion['id']}/dismiss", headers=STOCK)
    await inventory.receive("caffeine", "CAF-2", 1)  # 20: a new epoch, enough again
    assert await reorders(inventory, "caffeine") == []

    await publish(
        inventory, session_event(SessionBooked, uuid.uuid4(), days=3, treatment="two-caf")
    )
    [by_booking] = await eventually(lambda: reorders(inventory, "caffeine"))  # 18 by day 7
    assert by_booking["id"] != by_completion["id"]


async def test_fourteen_sessions_short_of_a_product_are_one_alert_counted_as_it_stands_now(
    inventory: Inventory,
) -> None:
    await put_kit(inventory, "two-caf", caffeine=2)
    sessions = [uuid.uuid4() for _ in range(14)]
    for n, session in enumerate(sessions):
        event = session_event(SessionBooked, session, days=5 + n, treatment="two-caf")
        await publish(inventory, event)
    [grouped] = await open_alerts(inventory, "shortage")
    assert (grouped["product_code"], grouped["count"]) == ("caffeine", 14)
    assert grouped["session_ids"] == [str(s) for s in sessions]
    first_day = (clinic_today() + timedelta(days=5)).isoformat()
    assert (
        grouped["message"] == f"14 sessions lack 28 Caffeine 2.5% in all, the first on {first_day}."
    )

    await inventory.receive("caffeine", "CAF-1", 3)  # the first session served, the second half

    [now] = await open_alerts(inventory, "shortage")
    second_day = (clinic_today() + timedelta(days=6)).isoformat()
    assert now["count"] == 13
    assert now["session_id"] == str(sessions[1])
    assert now["message"] == f"13 sessions lack 25 Caffeine 2.5% in all, the first on {second_day}."

    dismissed = await inventory.client.post(f"/v1/alerts/{now['id']}/dismiss", headers=STOCK)

    assert dismissed.status_code == 200, dismissed.text
    assert (dismissed.json()["status"], dismissed.json()["count"]) == ("dismissed", 13)
    assert await open_alerts(inventory, "shortage") == []
    rows = [r for r in await inventory.rows(alerts) if r.kind == "shortage"]
    assert sorted(r.status for r in rows) == ["dismissed"] * 13 + ["resolved"]


async def test_an_expiry_alert_counts_the_free_vials_as_they_stand_when_read(
    inventory: Inventory,
) -> None:
    lot = await inventory.receive("vitamin-blend", "VIT-SOON", 3, days=12)
    await scan_once(inventory.app.state.runtime)
    [raised] = await open_alerts(inventory, "expiry")
    expires_on = lot["expires_on"]
    assert raised["message"] == f"3 unreserved vials of lot VIT-SOON expire on {expires_on}."

    await publish(inventory, session_event(SessionBooked, uuid.uuid4(), days=5))
    body = {"lot_id": lot["id"], "kind": "breakage", "quantity": 1, "reason": "dropped"}
    assert (await inventory.client.post("/v1/adjustments", json=body, headers=STOCK)).is_success

    [now] = await open_alerts(inventory, "expiry")
    assert now["id"] == raised["id"]
    assert now["message"] == f"1 unreserved vials of lot VIT-SOON expire on {expires_on}."


async def test_a_products_expiring_lots_are_one_alert_named_by_the_product(
    inventory: Inventory,
) -> None:
    # received later-expiring first: one scan raises both at one time, so the text must order
    # the lots by expiry itself, soonest first
    second = await inventory.receive("vitamin-blend", "VIT-B", 2, days=12)
    first = await inventory.receive("vitamin-blend", "VIT-A", 3, days=10)
    await scan_once(inventory.app.state.runtime)

    [grouped] = await open_alerts(inventory, "expiry")

    assert (grouped["product_name"], grouped["count"]) == ("Multivitamin blend", 2)
    assert grouped["message"] == (
        f"3 unreserved vials of lot VIT-A expire on {first['expires_on']}. "
        f"2 unreserved vials of lot VIT-B expire on {second['expires_on']}."
    )


async def test_two_staff_dismissing_a_group_at_once_each_dismiss_it_once(
    inventory: Inventory,
) -> None:
    await put_kit(inventory, "two-caf", caffeine=2)
    for n in range(6):
        event = session_event(SessionBooked, uuid.uuid4(), days=5 + n, treatment="two-caf")
        await publish(inventory, event)
    [grouped] = await open_alerts(inventory, "shortage")
    url = f"/v1/alerts/{grouped['id']}/dismiss"

    answers = await asyncio.gather(
        inventory.client.post(url, headers=STOCK),
        inventory.client.post(url, headers=bearer("admin")),
    )

    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert {a.json()["status"] for a in answers} == {"dismissed"}
    assert await open_alerts(inventory, "shortage") == []
    rows = [r for r in await inventory.rows(alerts) if r.kind == "shortage"]
    assert [r.status for r in rows] == ["dismissed"] * 6
    assert len({r.updated_at for r in rows}) == 1  # one dismissal changed them, once
