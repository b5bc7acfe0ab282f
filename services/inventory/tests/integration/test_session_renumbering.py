"""Renumbered sessions: the stored sequence follows the newest event; nothing else moves."""

from __future__ import annotations

import uuid
from typing import Any

from clinic_shared.contracts.events import SessionBooked, SessionRenumbered, SessionRescheduled
from inventory.adapters.orm import lots, outbox, reservations, sessions

from .conftest import STOCK, Inventory
from .events import deliver, held, publish, session_event


def renumbered(session_id: uuid.UUID, sequence: int, previous: int) -> SessionRenumbered:
    event = session_event(SessionRenumbered, session_id, previous_sequence=previous)
    return event.model_copy(update={"sequence": sequence})


async def stored_sequence(inventory: Inventory, session_id: uuid.UUID) -> int | None:
    found = [r.sequence for r in await inventory.rows(sessions) if r.session_id == session_id]
    return found[0] if found else None


async def forecast(inventory: Inventory) -> list[dict[str, Any]]:
    response = await inventory.client.get(
        "/v1/stock/caffeine/forecast", params={"days": 120}, headers=STOCK
    )
    assert response.status_code == 200, response.text
    return list(response.json()["days"])


async def stock_state(inventory: Inventory) -> tuple[Any, ...]:
    return (
        await inventory.rows(lots),
        await inventory.rows(reservations),
        len(await inventory.rows(outbox)),
    )


async def test_a_renumbered_session_takes_its_new_sequence_and_keeps_its_stock(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 5)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    session = uuid.uuid4()
    booked = session_event(SessionBooked, session).model_copy(update={"sequence": 3})
    await publish(inventory, booked, minutes_ago=10)
    before, lines = await stock_state(inventory), await held(inventory, session)
    outlook = await forecast(inventory)
    assert any(day["expected"] for day in outlook)  # the course's sessions still to book

    await publish(inventory, renumbered(session, 2, previous=3))

    assert await stored_sequence(inventory, session) == 2
    assert await held(inventory, session) == lines
    assert await stock_state(inventory) == before
    # The forecast counts a course's booked and done sessions, not their numbers: a renumbering
    # leaves its estimate of the sessions still to book (the `expected` vials) as it was.
    assert await forecast(inventory) == outlook


async def test_an_older_or_replayed_renumbering_changes_nothing(inventory: Inventory) -> None:
    await inventory.receive("caffeine", "CAF-1", 5)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    session = uuid.uuid4()
    booked = session_event(SessionBooked, session).model_copy(update={"sequence": 3})
    await publish(inventory, booked, minutes_ago=30)
    newest = await publish(inventory, renumbered(session, 1, previous=3), minutes_ago=5)
    after_newest = (await inventory.rows(sessions), await stock_state(inventory))

    await publish(inventory, renumbered(session, 2, previous=3), minutes_ago=20)  # older
    assert (await inventory.rows(sessions), await stock_state(inventory)) == after_newest

    await deliver(inventory, newest.model_copy(update={"id": uuid.uuid4()}))  # same facts again
    assert await stored_sequence(inventory, session) == 1
    assert (await inventory.rows(sessions), await stock_state(inventory)) == after_newest


async def test_a_renumbering_before_the_booking_leaves_the_booking_to_reserve(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 5)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    session = uuid.uuid4()

    await publish(inventory, renumbered(session, 2, previous=3))
    assert await stored_sequence(inventory, session) is None

    await publish(inventory, session_event(SessionBooked, session), minutes_ago=10)
    kit = {("caffeine", "CAF-1", 1), ("vitamin-blend", "VIT-1", 1)}
    assert await held(inventory, session) == kit


async def test_a_late_move_older_than_a_renumbering_still_moves_the_session(
    inventory: Inventory,
) -> None:
    session = uuid.uuid4()
    booked = session_event(SessionBooked, session, days=10).model_copy(update={"sequence": 3})
    await publish(inventory, booked, minutes_ago=30)
    await publish(inventory, renumbered(session, 2, previous=3), minutes_ago=5)
    moved = session_event(
        SessionRescheduled, session, days=12, previous_starts_at=booked.starts_at
    ).model_copy(update={"sequence": 3})
    await publish(inventory, moved, minutes_ago=10)  # older than the renumbering, arriving last

    [row] = [r for r in await inventory.rows(sessions) if r.session_id == session]
    assert row.starts_at == moved.starts_at
    assert row.sequence == 2
