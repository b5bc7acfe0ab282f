"""Booked sessions hold their kit FEFO; shortages are recorded, announced and filled."""

from __future__ import annotations

import uuid

from clinic_shared.contracts.events import SessionBooked, SessionCancelled, SessionNoShow
from clinic_testing.helpers import bearer
from inventory.adapters.orm import lots

from .conftest import STOCK, Inventory
from .events import emitted, held, publish, session_event


async def test_booked_session_holds_its_kit_from_the_first_lot_valid_after_its_date(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-LATE", 10, days=90)
    await inventory.receive("caffeine", "CAF-SOON", 10, days=8)  # expires before the session
    await inventory.receive("caffeine", "CAF-NEXT", 10, days=30)
    await inventory.receive("vitamin-blend", "VIT-1", 10)
    session = uuid.uuid4()

    await publish(inventory, session_event(SessionBooked, session, days=10))

    assert await held(inventory, session) == {
        ("caffeine", "CAF-NEXT", 1),
        ("vitamin-blend", "VIT-1", 1),
    }
    assert [e["session_id"] for e in await emitted(inventory, "inventory.stock.reserved")] == [
        str(session)
    ]
    reserved = {r.lot_number: r.reserved for r in await inventory.rows(lots)}
    assert reserved == {"CAF-LATE": 0, "CAF-SOON": 0, "CAF-NEXT": 1, "VIT-1": 1}


async def test_a_kit_larger_than_the_first_lot_takes_the_rest_from_the_next_to_expire(
    inventory: Inventory,
) -> None:
    kit = {"items": [{"product_code": "caffeine", "quantity": 3}]}
    assert (await inventory.client.put("/v1/kits/three", json=kit, headers=STOCK)).is_success
    await inventory.receive("caffeine", "CAF-LATEST", 10, days=60)
    await inventory.receive("caffeine", "CAF-SOON", 10, days=8)  # expires before the session
    await inventory.receive("caffeine", "CAF-FIRST", 2, days=30)
    await inventory.receive("caffeine", "CAF-NEXT", 10, days=45)
    session = uuid.uuid4()

    await publish(inventory, session_event(SessionBooked, session, days=10, treatment="three"))

    assert await held(inventory, session) == {
        ("caffeine", "CAF-FIRST", 2),
        ("caffeine", "CAF-NEXT", 1),
    }


async def test_missing_stock_is_reserved_in_part_and_announced_as_a_shortage(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 3)
    session = uuid.uuid4()

    await publish(inventory, session_event(SessionBooked, session, treatment="cellulite-thighs"))

    assert await held(inventory, session) == {
        ("caffeine", "CAF-1", 2),
        ("l-carnitine", None, 2),
        ("artichoke", None, 1),
        ("vitamin-blend", None, 1),
        ("lidocaine", None, 1),
    }
    [shortage] = await emitted(inventory, "inventory.stock.shortage")
    assert shortage["session_id"] == str(session)
    assert {(x["product_code"], x["quantity_short"]) for x in shortage["lines"]} == {
        ("l-carnitine", 2),
        ("artichoke", 1),
        ("vitamin-blend", 1),
        ("lidocaine", 1),
    }
    assert await emitted(inventory, "inventory.stock.reserved") == []


async def test_arriving_stock_fills_the_earliest_session_first(inventory: Inventory) -> None:
    await inventory.receive("caffeine", "CAF-1", 10)
    later, sooner = uuid.uuid4(), uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, later, days=20))
    await publish(inventory, session_event(SessionBooked, sooner, days=5))

    await inventory.receive("vitamin-blend", "VIT-1", 1)

    assert ("vitamin-blend", "VIT-1", 1) in await held(inventory, sooner)
    assert ("vitamin-blend", None, 1) in await held(inventory, later)
    assert [e["session_id"] for e in await emitted(inventory, "inventory.stock.reserved")] == [
        str(sooner)
    ]


async def test_cancelled_and_missed_sessions_release_their_vials_to_a_short_session(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 2)
    await inventory.receive("vitamin-blend", "VIT-1", 2)
    first, second, waiting = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for session in (first, second, waiting):
        await publish(inventory, session_event(SessionBooked, session))
    assert ("caffeine", None, 1) in await held(inventory, waiting)

    await publish(inventory, session_event(SessionCancelled, first, reason="flu"))
    assert await held(inventory, first) == set()
    assert await held(inventory, waiting) == {
        ("caffeine", "CAF-1", 1),
        ("vitamin-blend", "VIT-1", 1),
    }

    await publish(inventory, session_event(SessionNoShow, second))
    assert await held(inventory, second) == set()
    assert {r.lot_number: r.reserved for r in await inventory.rows(lots)} == {
        "CAF-1": 1,
        "VIT-1": 1,
    }


async def test_reservations_of_an_unknown_session_are_a_404_and_every_role_reads(
    inventory: Inventory,
) -> None:
    unknown = await inventory.client.get(
        "/v1/reservations", params={"session_id": str(uuid.uuid4())}, headers=bearer("practitioner")
    )
    missing = await inventory.client.get("/v1/reservations", headers=bearer("receptionist"))
    anonymous = await inventory.client.get(
        "/v1/reservations", params={"session_id": str(uuid.uuid4())}
    )
    assert unknown.status_code == 404
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "query.session_id"
    assert anonymous.status_code == 401


async def test_a_treatment_without_a_kit_is_neither_reserved_nor_announced(
    inventory: Inventory,
) -> None:
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session, treatment="cellulite-ears"))

    assert await held(inventory, session) == set()
    assert await emitted(inventory, "inventory.stock.reserved") == []
    assert await emitted(inventory, "inventory.stock.shortage") == []
