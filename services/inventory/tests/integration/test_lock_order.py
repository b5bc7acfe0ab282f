"""The lock order of `adapters/reservations.py`: a booking's statement and `fill_kit` take the
same lots in the same order (product by product), so they never deadlock.

The second product's lot is held; the first transaction takes the first product's lot and waits
for the second's; the other then waits on the first product's lot; the second lot is let go.
Had either taken the lots in the opposite order, each would now hold a lot the other waits for:
a certain deadlock, whichever of the two arrives first.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from clinic_shared.context import message_context
from clinic_shared.contracts.events import SessionBooked, SessionRescheduled
from clinic_testing.helpers import eventually
from inventory.adapters.orm import lots
from inventory.service_layer.handlers import EVENT_HANDLERS
from inventory.service_layer.scope import open_scope

from .conftest import STOCK, Inventory
from .events import held, publish, session_event, starts_in

KIT = {"items": [{"product_code": p, "quantity": 1} for p in ("caffeine", "l-carnitine")]}


async def handle(inventory: Inventory, event: Any) -> None:
    """Apply the event as the consumer would, in a transaction of its own."""
    with message_context("lock-order", str(uuid.uuid4())):
        async with open_scope(inventory.app.state.runtime) as scope:
            await EVENT_HANDLERS[event.TYPE](event, scope)
            await scope.uow.commit()


async def waiting_on_locks(inventory: Inventory) -> int:
    """How many of this database's transactions wait for a lock now."""
    async with inventory.app.state.runtime.db.session() as db:
        waiting = await db.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
        return int(waiting or 0)


@pytest.mark.parametrize("first", ["booking", "refill"])
async def test_a_booking_and_a_refill_taking_the_same_two_lots_at_once_do_not_deadlock(
    inventory: Inventory, first: str
) -> None:
    assert (await inventory.client.put("/v1/kits/two", json=KIT, headers=STOCK)).is_success
    waiting = uuid.uuid4()  # booked before any stock, far out: short of both products
    await publish(inventory, session_event(SessionBooked, waiting, days=40, treatment="two"))
    for product in ("caffeine", "l-carnitine"):
        await inventory.receive(product, f"{product}-1", 5, days=20)  # too soon for day 40
    booking = session_event(SessionBooked, uuid.uuid4(), days=10, treatment="two")
    # The waiting session moved near: its `fill_kit` takes what the move left it short of.
    refill = session_event(
        SessionRescheduled, waiting, days=12, treatment="two", previous_starts_at=starts_in(40)
    )
    events = [booking, refill] if first == "booking" else [refill, booking]

    async with inventory.app.state.runtime.db.session() as holder:
        second = lots.c.product_code == "l-carnitine"
        await holder.execute(sa.select(lots.c.id).where(second).with_for_update())
        tasks = []
        for n, event in enumerate(events, start=1):
            tasks.append(asyncio.create_task(handle(inventory, event)))
            await eventually(lambda: waiting_on_locks(inventory), until=lambda w, n=n: w == n)
        await holder.rollback()
    await asyncio.gather(*tasks)  # a deadlock fails one of them here

    kit = {("caffeine", "caffeine-1", 1), ("l-carnitine", "l-carnitine-1", 1)}
    assert await held(inventory, booking.session_id) == kit
    assert await held(inventory, waiting) == kit
