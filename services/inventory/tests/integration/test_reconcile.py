"""Reconciliation with scheduling: each kind of drift is found, counted and repaired by applying
scheduling's facts as of their version; a repair never undoes a newer state, nothing doubles."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from clinic_shared.contracts.events import SessionBooked, SessionFacts, SessionRescheduled
from clinic_shared.contracts.sessions import SessionState
from clinic_shared.reconcile import lease
from clinic_testing.fake_scheduling import FakeScheduling, fake_scheduling
from clinic_testing.helpers import bearer, eventually, running
from inventory.adapters.orm import kit_items, lots
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings

from .conftest import Inventory
from .events import emitted, held, publish, session_event, starts_in

ADMIN = bearer("admin")


@pytest.fixture
async def scheduling() -> AsyncIterator[FakeScheduling]:
    async with fake_scheduling() as fake:
        yield fake


@pytest.fixture
async def inventory(make_settings, scheduling: FakeScheduling) -> AsyncIterator[Inventory]:
    """Inventory reading the fake scheduling's sessions; it reconciles only when asked."""
    settings = await make_settings(
        InventorySettings,
        scan_first_after_seconds=3600,
        reconcile_first_after_seconds=3600,
        scheduling_url=scheduling.url,
    )
    app = build_app(settings)
    async with running(app) as client:
        yield Inventory(app, client)


def state(event: SessionFacts, status: str = "booked", *, minutes_ago: int = 0) -> SessionState:
    """Scheduling's facts of the session `event` describes, written `minutes_ago`."""
    version = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    facts = event.model_dump(exclude={"action", "previous_starts_at", "products_used"})
    return SessionState(**facts, status=status, version=version)  # type: ignore[arg-type]


async def reconcile(inventory: Inventory) -> dict[str, Any]:
    answer = await inventory.client.post("/v1/admin/reconcile", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def reserved(inventory: Inventory) -> dict[str, int]:
    return {r.lot_number: r.reserved for r in await inventory.rows(lots)}


async def stocked(inventory: Inventory) -> None:
    await inventory.receive("caffeine", "CAF-SHORT", 5, days=15)
    await inventory.receive("caffeine", "CAF-LONG", 5, days=90)
    await inventory.receive("vitamin-blend", "VIT-1", 5, days=300)


async def test_a_booking_whose_event_was_lost_is_reserved_once(
    inventory: Inventory, scheduling: FakeScheduling
) -> None:
    await stocked(inventory)
    session = uuid.uuid4()
    scheduling.put(state(session_event(SessionBooked, session, days=10)))

    first = await reconcile(inventory)
    again = await reconcile(inventory)

    assert (first["checked"], first["found"], first["repaired"]) == (
        1, {"missing": 1}, {"missing": 1},
    )  # fmt: skip
    assert (again["found"], again["repaired"]) == ({}, {})
    assert await held(inventory, session) == {
        ("caffeine", "CAF-SHORT", 1),
        ("vitamin-blend", "VIT-1", 1),
    }
    assert await reserved(inventory) == {"CAF-SHORT": 1, "CAF-LONG": 0, "VIT-1": 1}


async def test_a_cancelled_session_still_holding_vials_gives_them_back(
    inventory: Inventory, scheduling: FakeScheduling
) -> None:
    await stocked(inventory)
    session = uuid.uuid4()
    booked = session_event(SessionBooked, session, days=10)
    await publish(inventory, booked, minutes_ago=5)
    scheduling.put(state(booked, "cancelled"))

    report = await reconcile(inventory)

    assert report["repaired"] == {"cancelled_still_reserved": 1}
    assert await held(inventory, session) == set()
    assert await reserved(inventory) == {"CAF-SHORT": 0, "CAF-LONG": 0, "VIT-1": 0}


async def test_a_session_whose_move_was_lost_holds_lots_valid_on_its_new_day(
    inventory: Inventory, scheduling: FakeScheduling
) -> None:
    await stocked(inventory)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session, days=10), minutes_ago=5)
    scheduling.put(state(session_event(SessionBooked, session, days=20)))

    report = await reconcile(inventory)

    assert report["repaired"] == {"moved": 1}
    assert await held(inventory, session) == {
        ("caffeine", "CAF-LONG", 1),
        ("vitamin-blend", "VIT-1", 1),
    }
    assert await reserved(inventory) == {"CAF-SHORT": 0, "CAF-LONG": 1, "VIT-1": 1}


async def test_a_kit_change_that_never_reached_a_booked_session_is_applied(
    inventory: Inventory, scheduling: FakeScheduling
) -> None:
    await stocked(inventory)
    await inventory.receive("l-carnitine", "CAR-1", 5, days=300)
    session = uuid.uuid4()
    booked = session_event(SessionBooked, session, days=10)
    await publish(inventory, booked, minutes_ago=5)
    async with inventory.app.state.runtime.db.session() as db:  # the kit changed, unannounced
        arms = kit_items.c.treatment_code == "cellulite-arms"
        await db.execute(sa.delete(kit_items).where(arms, kit_items.c.product_code == "caffeine"))
        await db.execute(
            sa.insert(kit_items).values(
                treatment_code="cellulite-arms", product_code="l-carnitine", quantity=2
            )
        )
        await db.commit()
    scheduling.put(state(booked, minutes_ago=6))  # written just before its booked event

    report = await reconcile(inventory)

    assert report["repaired"] == {"stale_kit": 1}
    assert await held(inventory, session) == {
        ("l-carnitine", "CAR-1", 2),
        ("vitamin-blend", "VIT-1", 1),
    }
    assert await reserved(inventory) == {
        "CAF-SHORT": 0, "CAF-LONG": 0, "VIT-1": 1, "CAR-1": 2,
    }  # fmt: skip


async def test_facts_older_than_the_copy_are_found_but_never_applied(
    inventory: Inventory, scheduling: FakeScheduling
) -> None:
    await stocked(inventory)
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session, days=10), minutes_ago=10)
    moved = session_event(SessionRescheduled, session, days=20, previous_starts_at=starts_in(10))
    await publish(inventory, moved, minutes_ago=1)
    scheduling.put(state(session_event(SessionBooked, session, days=10), minutes_ago=5))

    report = await reconcile(inventory)

    assert (report["found"], report["repaired"]) == ({"moved": 1}, {})
    assert ("caffeine", "CAF-LONG", 1) in await held(inventory, session)


async def test_counts_show_on_readyz_and_metrics(
    inventory: Inventory, scheduling: FakeScheduling
) -> None:
    await stocked(inventory)
    scheduling.put(state(session_event(SessionBooked, uuid.uuid4(), days=10)))
    await reconcile(inventory)

    ready = await inventory.client.get("/readyz", headers=ADMIN)
    metrics = await inventory.client.get("/metrics")

    shown = ready.json()["checks"]["reconciliation"]
    assert (shown["found"], shown["repaired"]) == ({"missing": 1}, {"missing": 1})
    assert 'clinic_reconcile_drift_total{kind="missing",outcome="repaired"} 1.0' in metrics.text


async def test_a_second_run_while_one_holds_the_lease_is_a_409(inventory: Inventory) -> None:
    async with lease(inventory.app.state.runtime.db, "inventory:reconcile") as held_here:
        assert held_here
        answer = await inventory.client.post("/v1/admin/reconcile", headers=ADMIN)

    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"


async def test_scheduling_down_is_a_503_and_nothing_changes(
    inventory: Inventory, scheduling: FakeScheduling
) -> None:
    scheduling.status = 500

    answer = await inventory.client.post("/v1/admin/reconcile", headers=ADMIN)

    assert answer.status_code == 503
    assert answer.json()["service"] == "scheduling"


async def test_the_command_line_reconciles_and_prints_the_report(
    inventory: Inventory, scheduling: FakeScheduling
) -> None:
    await stocked(inventory)
    session = uuid.uuid4()
    scheduling.put(state(session_event(SessionBooked, session, days=10)))
    settings = inventory.app.state.runtime.settings
    env = os.environ | {
        "INVENTORY_DATABASE_URL": settings.database_url,
        "INVENTORY_SCHEDULING_URL": scheduling.url,
        "CLINIC_LOG_LEVEL": "WARNING",
    }
    env.pop("AMQP_URL", None)

    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "inventory.reconcile", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await command.communicate()

    assert command.returncode == 0, err.decode()
    report = json.loads(out)
    assert (report["found"], report["repaired"]) == ({"missing": 1}, {"missing": 1})
    assert await held(inventory, session) == {
        ("caffeine", "CAF-SHORT", 1),
        ("vitamin-blend", "VIT-1", 1),
    }


async def test_two_replicas_on_the_timer_repair_a_lost_booking_once_without_being_asked(
    make_settings, scheduling: FakeScheduling
) -> None:
    settings = await make_settings(
        InventorySettings,
        scan_first_after_seconds=3600,
        scheduling_url=scheduling.url,
        reconcile_first_after_seconds=0.1,
        reconcile_interval_seconds=0.05,
    )
    first, second = build_app(settings), build_app(settings)
    async with running(first) as client, running(second):
        inventory = Inventory(first, client)
        await stocked(inventory)
        session = uuid.uuid4()
        scheduling.put(state(session_event(SessionBooked, session, days=10)))

        expected = {"CAF-SHORT": 1, "CAF-LONG": 0, "VIT-1": 1}
        await eventually(lambda: reserved(inventory), until=lambda r: r == expected)
        await asyncio.sleep(0.5)  # more turns of both timers
        assert await reserved(inventory) == expected
        assert await held(inventory, session) == {
            ("caffeine", "CAF-SHORT", 1),
            ("vitamin-blend", "VIT-1", 1),
        }
        announced = await emitted(inventory, "inventory.stock.reserved")
        assert [e["session_id"] for e in announced] == [str(session)]


async def test_each_run_logs_what_it_found_and_repaired(
    inventory: Inventory, scheduling: FakeScheduling, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="clinic_shared.reconcile")
    await stocked(inventory)
    scheduling.put(state(session_event(SessionBooked, uuid.uuid4(), days=10)))

    await reconcile(inventory)

    [logged] = [r for r in caplog.records if r.getMessage() == "projection reconciled"]
    counts = logged.reconciliation  # type: ignore[attr-defined]
    assert (counts["found"], counts["repaired"]) == ({"missing": 1}, {"missing": 1})
