"""A booking at the edge of the calendar never breaks the stock view, forecast or scan."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import bearer
from inventory.entrypoints.workers import scan_once

from .conftest import STOCK, Inventory
from .events import emitted, lines, publish, session_event

# 10:00 on the last day Python can hold; and an instant whose clinic-local day is past it.
LAST_DAY = datetime(9999, 12, 31, 9, tzinfo=UTC)
PAST_THE_LAST_DAY = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize("starts_at", [LAST_DAY, PAST_THE_LAST_DAY])
async def test_a_session_booked_in_year_9999_leaves_stock_forecast_and_scan_working(
    inventory: Inventory, starts_at: datetime
) -> None:
    await inventory.receive("lidocaine", "LID-SOON", 4, days=12)
    far = uuid.uuid4()
    event = session_event(SessionBooked, far, treatment="cellulite-arms")
    moved = {"starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=20)}
    await publish(inventory, event.model_copy(update=moved))

    stock = await inventory.client.get("/v1/stock", headers=bearer("receptionist"))
    forecast = await inventory.client.get("/v1/stock/caffeine/forecast", headers=STOCK)
    await scan_once(inventory.app.state.runtime)

    assert stock.status_code == 200, stock.text
    assert forecast.status_code == 200, forecast.text
    assert {(x["product_code"], x["status"]) for x in await lines(inventory, far)} == {
        ("caffeine", "short"),
        ("vitamin-blend", "short"),
    }
    [expiring] = await emitted(inventory, "inventory.lot.expiring")
    assert expiring["lot_number"] == "LID-SOON"
    suggested = {e["product_code"] for e in await emitted(inventory, "inventory.reorder.suggested")}
    assert {"caffeine", "lidocaine"} <= suggested
