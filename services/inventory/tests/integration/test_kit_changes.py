"""A kit change reaches the sessions already booked: new products held FEFO or short, the
products it dropped given back, and nothing oversold when bookings race it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import SessionBooked
from clinic_testing.fake_scheduling import FakeScheduling, fake_scheduling
from clinic_testing.helpers import bearer, eventually, running
from inventory.adapters.orm import inbox, kit_items, lots
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings

from .conftest import STOCK, Inventory
from .events import emitted, held, publish, session_event
from .invariants import violations


def kit(**quantities: int) -> dict[str, Any]:
    return {"items": [{"product_code": p, "quantity": q} for p, q in quantities.items()]}


async def put_kit(inventory: Inventory, treatment: str, body: dict[str, Any]) -> None:
    answer = await inventory.client.put(f"/v1/kits/{treatment}", json=body, headers=STOCK)
    assert answer.status_code == 200, answer.text


async def test_booked_sessions_take_the_new_kit_fefo_and_give_back_what_it_dropped(
    inventory: Inventory,
) -> None:
    await put_kit(inventory, "arms-test", kit(caffeine=1, **{"vitamin-blend": 1}))
    await inventory.receive("caffeine", "CAF-LATE", 10, days=300)
    await inventory.receive("vitamin-blend", "VIT-1", 10)
    early, later = uuid.uuid4(), uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, early, days=5, treatment="arms-test"))
    await publish(inventory, session_event(SessionBooked, later, days=9, treatment="arms-test"))
    await inventory.receive("caffeine", "CAF-SOON", 3, days=60)  # expires first: FEFO's pick
    await inventory.receive("lidocaine", "LID-1", 1)

    await put_kit(inventory, "arms-test", kit(caffeine=2, lidocaine=1))

    assert await held(inventory, early) == {
        ("caffeine", "CAF-SOON", 2),
        ("lidocaine", "LID-1", 1),
    }
    assert await held(inventory, later) == {
        ("caffeine", "CAF-SOON", 1),
        ("caffeine", "CAF-LATE", 1),
        ("lidocaine", None, 1),  # short: the only vial went to the earlier session
    }
    stock = {lot.lot_number: lot.reserved for lot in await inventory.rows(lots)}
    assert stock == {"CAF-LATE": 1, "CAF-SOON": 3, "VIT-1": 0, "LID-1": 1}
    [shortage] = (await emitted(inventory, "inventory.stock.shortage"))[-1:]
    assert shortage["session_id"] == str(later)
    assert shortage["lines"] == [{"product_code": "lidocaine", "quantity_short": 1}]
    alerts = await inventory.client.get("/v1/alerts", headers=bearer("practitioner"))
    shortages = [a for a in alerts.json() if a["kind"] == "shortage"]
    assert [a["product_code"] for a in shortages] == ["lidocaine"]
    assert await violations(inventory) == []


async def test_a_kit_change_settles_the_shortages_of_the_products_it_drops(
    inventory: Inventory,
) -> None:
    await put_kit(inventory, "arms-test", kit(caffeine=1, lidocaine=1))
    await inventory.receive("caffeine", "CAF-1", 5)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session, treatment="arms-test"))
    assert ("lidocaine", None, 1) in await held(inventory, session)

    await put_kit(inventory, "arms-test", kit(caffeine=1))

    assert await held(inventory, session) == {("caffeine", "CAF-1", 1)}
    alerts = await inventory.client.get("/v1/alerts", headers=bearer("practitioner"))
    assert [a for a in alerts.json() if a["kind"] == "shortage"] == []
    reserved = await emitted(inventory, "inventory.stock.reserved")
    assert reserved[-1]["session_id"] == str(session)


async def test_kit_changes_racing_a_rush_of_bookings_oversell_nothing_and_leave_no_stale_kit(
    inventory: Inventory,
) -> None:
    await put_kit(inventory, "race", kit(caffeine=1))
    await inventory.receive("caffeine", "CAF-1", 20, days=60)
    await inventory.receive("caffeine", "CAF-2", 15, days=120)
    await inventory.receive("lidocaine", "LID-1", 12)
    await inventory.receive("vitamin-blend", "VIT-1", 25)
    bus = inventory.app.state.runtime.message_bus
    events = [
        session_event(SessionBooked, uuid.uuid4(), days=3 + i % 20, treatment="race")
        for i in range(40)
    ]
    envelopes = [Envelope.wrap(e, producer="scheduling", correlation_id="rush") for e in events]
    changes = [
        kit(caffeine=2, lidocaine=1),
        kit(**{"vitamin-blend": 1, "lidocaine": 1}),
        kit(caffeine=1, **{"vitamin-blend": 2}),
    ]

    async def change_kits() -> None:
        for body in changes:
            await put_kit(inventory, "race", body)

    await asyncio.gather(change_kits(), *(bus.publish(e) for e in envelopes))

    async def handled() -> int:
        return len(await inventory.rows(inbox))

    await eventually(handled, until=lambda n: n == 40, timeout=60)
    # Every session holds or lacks exactly the last kit, and every lot's count matches its rows.
    assert await violations(inventory) == []
    stock = {lot.lot_number: (lot.reserved, lot.quantity) for lot in await inventory.rows(lots)}
    assert stock["LID-1"] == (0, 12)  # the last kit dropped lidocaine: every vial given back
    assert stock["VIT-1"] == (25, 25)  # 40 sessions want 80: all 25 held, none twice
    assert await bus.dead_letter_count("inventory") == 0


@pytest.fixture
async def scheduling() -> AsyncIterator[FakeScheduling]:
    async with fake_scheduling() as fake:
        fake.treatments = {"cellulite-new"}
        yield fake


@pytest.fixture
async def beside(make_settings, scheduling: FakeScheduling) -> AsyncIterator[Inventory]:
    """Inventory asking the fake scheduling, which holds only the treatment cellulite-new."""
    settings = await make_settings(InventorySettings, scheduling_url=scheduling.url)
    app = build_app(settings)
    async with running(app) as client:
        yield Inventory(app, client)


async def kits_of(inventory: Inventory, treatment: str) -> list[Any]:
    return [r for r in await inventory.rows(kit_items) if r.treatment_code == treatment]


async def test_a_kit_for_a_treatment_scheduling_does_not_hold_is_a_404_and_stores_nothing(
    beside: Inventory, scheduling: FakeScheduling
) -> None:
    body = kit(caffeine=1)
    unknown = await beside.client.put("/v1/kits/cellulite-nose", json=body, headers=STOCK)
    known = await beside.client.put("/v1/kits/cellulite-new", json=body, headers=STOCK)

    assert unknown.status_code == 404, unknown.text
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["errors"] == [
        {"field": "path.treatment_code", "reason": "unknown treatment"}
    ]
    assert await kits_of(beside, "cellulite-nose") == []
    assert (await beside.client.get("/v1/kits/cellulite-nose", headers=STOCK)).status_code == 404
    assert known.status_code == 200, known.text
    assert [(r.product_code, r.quantity) for r in await kits_of(beside, "cellulite-new")] == [
        ("caffeine", 1)
    ]
    assert [a["code"] for a in scheduling.treatments_asked] == ["cellulite-nose", "cellulite-new"]
    assert {a["authorization"] for a in scheduling.treatments_asked} == {STOCK["Authorization"]}


async def test_with_scheduling_down_a_new_treatments_kit_is_a_503_and_a_known_kit_still_changes(
    beside: Inventory, scheduling: FakeScheduling
) -> None:
    scheduling.status = 500

    new = await beside.client.put("/v1/kits/cellulite-new", json=kit(caffeine=1), headers=STOCK)
    known = await beside.client.put("/v1/kits/cellulite-arms", json=kit(caffeine=2), headers=STOCK)

    assert new.status_code == 503, new.text
    assert (new.headers["content-type"], new.json()["service"]) == (
        "application/problem+json",
        "scheduling",
    )
    assert await kits_of(beside, "cellulite-new") == []
    assert known.status_code == 200, known.text
    assert [a["code"] for a in scheduling.treatments_asked] == ["cellulite-new"]
