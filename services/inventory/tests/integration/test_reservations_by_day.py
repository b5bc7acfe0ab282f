"""Reservations across sessions, day by day (the stock page), and what the stock view says
booked sessions lack: the same facts as the shortage alert."""

from __future__ import annotations

import uuid
from datetime import timedelta

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import bearer, clinic_today

from .conftest import Inventory
from .events import publish, session_event

READER = bearer("stock_manager")


async def reservations(inventory: Inventory, **params: str) -> list[dict]:
    answer = await inventory.client.get("/v1/reservations", params=params, headers=READER)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def day(days: int) -> str:
    return (clinic_today() + timedelta(days=days)).isoformat()


async def test_the_sessions_of_some_days_with_what_each_holds_and_lacks(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 5)
    first, second, later = sorted((uuid.uuid4() for _ in range(3)), key=str)
    for session, days in ((first, 3), (second, 3), (later, 5)):
        await publish(inventory, session_event(SessionBooked, session, days=days))

    lines = await reservations(inventory, from_day=day(3), to_day=day(4))

    assert [(line["session_id"], line["product_code"], line["status"]) for line in lines] == [
        (str(first), "caffeine", "reserved"),
        (str(first), "vitamin-blend", "short"),
        (str(second), "caffeine", "reserved"),
        (str(second), "vitamin-blend", "short"),
    ]
    assert {line["session_on"] for line in lines} == {day(3)}
    assert lines[0]["lot_number"] == "CAF-1"
    assert await reservations(inventory, from_day=day(5)) == await reservations(
        inventory, from_day=day(5), to_day=day(5)
    )


async def test_the_stock_view_counts_what_booked_sessions_lack_as_the_alert_does(
    inventory: Inventory,
) -> None:
    for days in (3, 5, 90):  # the last one past the forecast's 60 days
        await publish(inventory, session_event(SessionBooked, uuid.uuid4(), days=days))

    stock = await inventory.client.get("/v1/stock", headers=READER)
    alerts = await inventory.client.get("/v1/alerts", headers=READER)

    [vitamins] = [s for s in stock.json() if s["product_code"] == "vitamin-blend"]
    [alert] = [
        a for a in alerts.json() if a["kind"] == "shortage" and a["product_code"] == "vitamin-blend"
    ]
    assert (vitamins["short_sessions"], vitamins["short_vials"]) == (3, 3) == (alert["count"], 3)
    assert vitamins["first_short_on"] == day(3)
    assert vitamins["forecast_days"] == 60


async def test_reservations_need_a_session_or_a_few_days(inventory: Inventory) -> None:
    cases = [
        ({}, "query.session_id"),
        ({"from_day": day(5), "to_day": day(4)}, "query.to_day"),
        ({"from_day": day(0), "to_day": day(31)}, "query.to_day"),
        ({"from_day": "soon"}, "query.from_day"),
    ]
    for params, field in cases:
        answer = await inventory.client.get("/v1/reservations", params=params, headers=READER)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["errors"][0]["field"] == field
