"""Alerts: a shortage opens one, stock arriving settles it, a stock manager dismisses them."""

from __future__ import annotations

import uuid

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import bearer

from .conftest import STOCK, Inventory
from .events import publish, session_event


async def open_alerts(inventory: Inventory) -> list[dict]:
    response = await inventory.client.get("/v1/alerts", headers=bearer("practitioner"))
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_a_shortage_opens_an_alert_that_arriving_stock_settles(inventory: Inventory) -> None:
    await inventory.receive("caffeine", "CAF-1", 5)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session))

    [alert] = await open_alerts(inventory)
    assert (alert["kind"], alert["product_code"]) == ("shortage", "vitamin-blend")
    assert alert["session_id"] == str(session)

    await inventory.receive("vitamin-blend", "VIT-1", 5)
    assert await open_alerts(inventory) == []


async def test_a_dismissed_alert_is_no_longer_listed(inventory: Inventory) -> None:
    await publish(inventory, session_event(SessionBooked, uuid.uuid4()))
    alerts = await open_alerts(inventory)
    assert {a["product_code"] for a in alerts} == {"caffeine", "vitamin-blend"}

    url = f"/v1/alerts/{alerts[0]['id']}/dismiss"
    practitioner = await inventory.client.post(url, headers=bearer("practitioner"))
    dismissed = await inventory.client.post(url, headers=STOCK)
    unknown = await inventory.client.post(f"/v1/alerts/{uuid.uuid4()}/dismiss", headers=STOCK)

    assert practitioner.status_code == 403
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    assert unknown.status_code == 404
    assert [a["id"] for a in await open_alerts(inventory)] == [alerts[1]["id"]]
