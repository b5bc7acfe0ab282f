"""Moved and replayed sessions: reservations follow the session, events apply once."""

from __future__ import annotations

import logging
import uuid

import pytest

from clinic_shared.contracts.events import (
    SessionBooked,
    SessionCompleted,
    SessionRescheduled,
)
from clinic_testing.helpers import eventually
from inventory.adapters.orm import consumptions, lots, outbox, reservations

from .conftest import Inventory
from .events import deliver, held, publish, session_event, starts_in


async def test_a_move_past_a_lots_expiry_moves_the_reservation_to_a_valid_lot(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-SHORT", 5, days=15)
    await inventory.receive("caffeine", "CAF-LONG", 5, days=90)
    await inventory.receive("vitamin-blend", "VIT-1", 5, days=300)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session, days=10), minutes_ago=5)
    assert ("caffeine", "CAF-SHORT", 1) in await held(inventory, session)

    moved = session_event(SessionRescheduled, session, days=20, previous_starts_at=starts_in(10))
    await publish(inventory, moved)

    assert await held(inventory, session) == {
        ("caffeine", "CAF-LONG", 1),
        ("vitamin-blend", "VIT-1", 1),
    }
    counts = {r.lot_number: r.reserved for r in await inventory.rows(lots)}
    assert counts == {"CAF-SHORT": 0, "CAF-LONG": 1, "VIT-1": 1}


async def test_an_older_move_arriving_late_changes_nothing(inventory: Inventory) -> None:
    await inventory.receive("caffeine", "CAF-SHORT", 5, days=15)
    await inventory.receive("caffeine", "CAF-LONG", 5, days=90)
    await inventory.receive("vitamin-blend", "VIT-1", 5, days=300)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session, days=10))

    stale = session_event(SessionRescheduled, session, days=20, previous_starts_at=starts_in(10))
    await publish(inventory, stale, minutes_ago=30)

    assert ("caffeine", "CAF-SHORT", 1) in await held(inventory, session)


async def test_events_replayed_twice_change_nothing(
    inventory: Inventory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await inventory.receive("caffeine", "CAF-1", 5)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    session = uuid.uuid4()
    booked = await publish(inventory, session_event(SessionBooked, session))
    completed = await publish(inventory, session_event(SessionCompleted, session))
    before = (
        await inventory.rows(lots),
        await inventory.rows(reservations),
        await inventory.rows(consumptions),
        len(await inventory.rows(outbox)),
    )

    for envelope in (booked, completed):
        await deliver(inventory, envelope.model_copy(update={"id": uuid.uuid4()}))  # same facts
        await inventory.app.state.runtime.message_bus.publish(envelope)  # the same event again

    async def duplicates() -> int:
        return sum(r.getMessage() == "duplicate event ignored" for r in caplog.records)

    await eventually(duplicates, until=lambda n: n == 2)

    after = (
        await inventory.rows(lots),
        await inventory.rows(reservations),
        await inventory.rows(consumptions),
        len(await inventory.rows(outbox)),
    )
    assert after == before
