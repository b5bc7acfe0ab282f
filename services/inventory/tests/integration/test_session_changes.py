"""Moved, completed and replayed sessions: reservations follow, consumption is traced."""

from __future__ import annotations

import logging
import uuid

import pytest

from clinic_shared.contracts.events import (
    ProductUsed,
    SessionBooked,
    SessionCompleted,
    SessionRescheduled,
)
from clinic_shared.testing.helpers import bearer, eventually
from inventory.adapters.orm import lots, outbox
from inventory.adapters.orm_sessions import consumptions, reservations

from .conftest import Inventory
from .events import PATIENT, deliver, held, lines, publish, session_event, starts_in


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


async def test_completion_turns_the_reservation_into_consumption_traced_to_the_patient(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 5)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session))

    await publish(inventory, session_event(SessionCompleted, session))

    assert {(x["lot_number"], x["status"]) for x in await lines(inventory, session)} == {
        ("CAF-1", "consumed"),
        ("VIT-1", "consumed"),
    }
    assert {(r.lot_number, r.reserved, r.consumed) for r in await inventory.rows(lots)} == {
        ("CAF-1", 0, 1),
        ("VIT-1", 0, 1),
    }
    by_lot = await inventory.client.get(
        "/v1/traceability", params={"lot_number": "CAF-1"}, headers=bearer("practitioner")
    )
    by_patient = await inventory.client.get(
        "/v1/traceability", params={"patient_id": str(PATIENT)}, headers=bearer("admin")
    )
    assert by_lot.json()["patient_ids"] == [str(PATIENT)]
    assert [c["session_id"] for c in by_lot.json()["consumptions"]] == [str(session)]
    assert sorted(c["lot_number"] for c in by_patient.json()["consumptions"]) == ["CAF-1", "VIT-1"]


async def test_lots_named_at_completion_are_recorded_and_the_reservation_released(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-SOON", 5, days=40)
    await inventory.receive("caffeine", "CAF-OTHER", 5, days=80)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session))
    used = [
        ProductUsed(product_code="caffeine", lot_number="CAF-OTHER", quantity=2),
        ProductUsed(product_code="caffeine", lot_number="NEVER-RECEIVED", quantity=1),
    ]

    await publish(inventory, session_event(SessionCompleted, session, products_used=used))

    recorded = {(r.lot_number, r.quantity) for r in await inventory.rows(consumptions)}
    assert recorded == {("CAF-OTHER", 2), ("NEVER-RECEIVED", 1)}
    counts = {r.lot_number: (r.reserved, r.consumed) for r in await inventory.rows(lots)}
    assert counts == {"CAF-SOON": (0, 0), "CAF-OTHER": (0, 2), "VIT-1": (0, 0)}
    stray = await inventory.client.get(
        "/v1/traceability", params={"lot_number": "NEVER-RECEIVED"}, headers=bearer("admin")
    )
    assert stray.json()["patient_ids"] == [str(PATIENT)]


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


async def test_traceability_needs_exactly_one_of_lot_number_and_patient(
    inventory: Inventory,
) -> None:
    neither = await inventory.client.get("/v1/traceability", headers=bearer("admin"))
    both = await inventory.client.get(
        "/v1/traceability",
        params={"lot_number": "X", "patient_id": str(PATIENT)},
        headers=bearer("admin"),
    )
    assert neither.status_code == both.status_code == 422
    assert neither.json()["errors"][0]["field"] == "query.lot_number"


async def test_vials_taken_from_a_lot_reserved_for_others_push_the_latest_session_elsewhere(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-SOON", 1, days=40)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    treated, waiting = uuid.uuid4(), uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, treated, days=2))
    await publish(inventory, session_event(SessionBooked, waiting, days=9))
    await inventory.receive("caffeine", "CAF-LATER", 1, days=90)  # goes to `waiting`
    used = [ProductUsed(product_code="caffeine", lot_number="CAF-LATER", quantity=1)]

    await publish(inventory, session_event(SessionCompleted, treated, products_used=used))

    counts = {r.lot_number: (r.reserved, r.consumed) for r in await inventory.rows(lots)}
    assert counts["CAF-LATER"] == (0, 1)
    assert counts["CAF-SOON"] == (1, 0)
    assert ("caffeine", "CAF-SOON", 1) in await held(inventory, waiting)
