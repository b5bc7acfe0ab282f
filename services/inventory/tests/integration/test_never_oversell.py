"""Never oversell: many sessions booked at once over the real bus share the last vials exactly."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import SessionBooked
from clinic_shared.testing.helpers import bearer, eventually
from inventory.adapters.orm import inbox, lots
from inventory.adapters.orm_sessions import reservations, shortages

from .conftest import Inventory
from .events import emitted, session_event


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_hundred_bookings_at_once_reserve_exactly_the_ten_vials_in_stock(
    inventory: Inventory,
) -> None:
    kit = {"items": [{"product_code": "caffeine", "quantity": 1}]}
    put = await inventory.client.put("/v1/kits/one-vial", json=kit, headers=bearer("admin"))
    assert put.status_code == 200, put.text
    await inventory.receive("caffeine", "CAF-LAST", 10)
    bus = inventory.app.state.runtime.message_bus
    assert bus.options.prefetch >= 16  # handlers really run side by side
    events = [
        session_event(SessionBooked, uuid.uuid4(), days=3 + i % 20, treatment="one-vial")
        for i in range(100)
    ]

    await asyncio.gather(
        *(
            bus.publish(Envelope.wrap(e, producer="scheduling", correlation_id="rush"))
            for e in events
        )
    )

    async def handled() -> int:
        return len(await inventory.rows(inbox))

    await eventually(handled, until=lambda n: n == 100, timeout=60)
    [lot] = await inventory.rows(lots)
    held = [r for r in await inventory.rows(reservations) if r.status == "reserved"]
    short = await inventory.rows(shortages)
    assert (lot.quantity, lot.reserved, lot.consumed) == (10, 10, 0)
    assert sorted(r.quantity for r in held) == [1] * 10
    assert len({r.session_id for r in held}) == 10
    assert len(short) == 90
    assert {s.quantity for s in short} == {1}
    assert {r.session_id for r in held}.isdisjoint({s.session_id for s in short})
    assert len(await emitted(inventory, "inventory.stock.reserved")) == 10
    assert len(await emitted(inventory, "inventory.stock.shortage")) == 90
    assert await bus.dead_letter_count("inventory") == 0
