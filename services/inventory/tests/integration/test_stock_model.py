"""A model-based test: Hypothesis drives inventory on PostgreSQL (scheduling's events through the
service layer's handlers, the stock manager's actions through the API) in random order, and after
every step checks the stock against a small pure model of what was received, recalled, booked
and used.

Invariants: no lot below zero or reserved beyond what it has on hand; no session holds a lot
expiring by its day (or recalled); a lot's reserved count is the sum of its reservation lines;
every consumption names a real lot that was usable for its session when it was used.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from clinic_shared.context import message_context
from clinic_shared.contracts.events import (
    ProductUsed,
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
    SessionRescheduled,
)
from clinic_testing.helpers import clinic_today, running
from inventory.adapters.orm import consumptions, kit_items, metadata
from inventory.bootstrap import build_app
from inventory.service_layer.handlers import EVENT_HANDLERS
from inventory.service_layer.scope import open_scope
from inventory.settings import InventorySettings

from .conftest import STOCK, Inventory
from .events import session_event, starts_in
from .invariants import snapshot

T = TypeVar("T")
PRODUCTS = ("caffeine", "vitamin-blend", "l-carnitine")
TREATMENTS = ("cellulite-arms", "cellulite-calves")
KEPT = {"products", "alembic_version"}  # what a new example starts from, with the kits


# --- the model ----------------------------------------------------------------------------------


@dataclass
class ModelLot:
    product: str
    number: str
    expires_on: date
    received: int
    counted: bool = False
    recalled: bool = False

    def usable_on(self, day: date) -> bool:
        return not self.recalled and self.expires_on > day


@dataclass
class ModelSession:
    treatment: str
    in_days: int
    status: str = "booked"

    @property
    def day(self) -> date:
        return clinic_today() + timedelta(days=self.in_days)


@dataclass
class Model:
    lots: dict[uuid.UUID, ModelLot] = field(default_factory=dict)
    sessions: dict[uuid.UUID, ModelSession] = field(default_factory=dict)
    usable_when_used: dict[uuid.UUID, set[uuid.UUID]] = field(default_factory=dict)
    """For each completed session, the lots usable for it when it was completed."""

    def booked(self) -> list[uuid.UUID]:
        return [s for s, session in self.sessions.items() if session.status == "booked"]

    def usable_for(self, session_id: uuid.UUID) -> set[uuid.UUID]:
        day = self.sessions[session_id].day
        return {lot_id for lot_id, lot in self.lots.items() if lot.usable_on(day)}


# --- driving the service from Hypothesis's synchronous rules ------------------------------------


class Loop:
    """An event loop in a thread of its own: the app lives on it, each rule waits for its step."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, step: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(step, self.loop).result(timeout=120)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


@dataclass
class Service:
    loop: Loop
    inventory: Inventory
    kits: list[dict[str, Any]]


SERVICE: list[Service] = []


class StockMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.service = SERVICE[0]
        self.model = Model()
        self.service.loop.run(self._reset())

    def run(self, step: Coroutine[Any, Any, T]) -> T:
        return self.service.loop.run(step)

    async def _reset(self) -> None:
        """An empty stock and the catalogue's kits, as after the migrations."""
        tables = [t.name for t in metadata.sorted_tables if t.name not in KEPT]
        async with self.service.inventory.app.state.runtime.db.session() as db:
            await db.execute(sa.text(f"TRUNCATE {', '.join(tables)} CASCADE"))
            await db.execute(sa.insert(kit_items), self.service.kits)
            await db.commit()

    async def _handle(self, event: Any) -> None:
        with message_context("model", str(uuid.uuid4())):
            async with open_scope(self.service.inventory.app.state.runtime) as scope:
                await EVENT_HANDLERS[event.TYPE](event, scope)
                await scope.uow.commit()

    def _event(self, cls: Any, session_id: uuid.UUID, **extra: Any) -> Any:
        session = self.model.sessions[session_id]
        return session_event(
            cls, session_id, days=session.in_days, treatment=session.treatment, **extra
        )

    async def _api(self, method: str, path: str, body: Any, ok: tuple[int, ...]) -> Any:
        client = self.service.inventory.client
        answer = await client.request(method, path, json=body, headers=STOCK)
        assert answer.status_code in ok, answer.text
        return answer.json()

    @rule(product=st.sampled_from(PRODUCTS), expires_in=st.integers(1, 40), n=st.integers(1, 4))
    def receive(self, product: str, expires_in: int, n: int) -> None:
        expires_on = clinic_today() + timedelta(days=expires_in)
        number = uuid.uuid4().hex[:10]
        body = {"product_code": product, "lot_number": number,
                "expires_on": expires_on.isoformat(), "quantity": n}  # fmt: skip
        lot = self.run(self._api("POST", "/v1/receipts", body, (201,)))
        self.model.lots[uuid.UUID(lot["id"])] = ModelLot(product, number, expires_on, n)

    @rule(treatment=st.sampled_from(TREATMENTS), in_days=st.integers(1, 30))
    def book(self, treatment: str, in_days: int) -> None:
        session_id = uuid.uuid4()
        self.model.sessions[session_id] = ModelSession(treatment, in_days)
        self.run(self._handle(self._event(SessionBooked, session_id)))

    @precondition(lambda self: self.model.booked())
    @rule(pick=st.integers(0, 50))
    def cancel(self, pick: int) -> None:
        session_id = self._pick(pick)
        self.model.sessions[session_id].status = "cancelled"
        self.run(self._handle(self._event(SessionCancelled, session_id)))

    @precondition(lambda self: self.model.booked())
    @rule(pick=st.integers(0, 50), in_days=st.integers(1, 30))
    def move(self, pick: int, in_days: int) -> None:
        session_id = self._pick(pick)
        before = self.model.sessions[session_id].in_days
        self.model.sessions[session_id].in_days = in_days
        moved = self._event(SessionRescheduled, session_id, previous_starts_at=starts_in(before))
        self.run(self._handle(moved))

    @precondition(lambda self: self.model.booked())
    @rule(pick=st.integers(0, 50), name_a_lot=st.booleans(), lot_pick=st.integers(0, 50))
    def complete(self, pick: int, name_a_lot: bool, lot_pick: int) -> None:
        """Complete with the reserved kit, or naming one usable lot (as scheduling, having
        asked inventory, lets through)."""
        session_id = self._pick(pick)
        usable = sorted(self.model.usable_for(session_id))
        used = []
        if name_a_lot and usable:
            lot_id = usable[lot_pick % len(usable)]
            lot = self.model.lots[lot_id]
            used = [ProductUsed(product_code=lot.product, lot_number=lot.number, quantity=1)]
        self.model.usable_when_used[session_id] = set(usable)
        self.model.sessions[session_id].status = "completed"
        self.run(self._handle(self._event(SessionCompleted, session_id, products_used=used)))

    @precondition(lambda self: self.model.lots)
    @rule(pick=st.integers(0, 50), counted=st.integers(0, 4))
    def adjust(self, pick: int, counted: int) -> None:
        lot_id = sorted(self.model.lots)[pick % len(self.model.lots)]
        body = {"lot_id": str(lot_id), "kind": "count_correction", "quantity": counted,
                "reason": "count"}  # fmt: skip
        self.run(self._api("POST", "/v1/adjustments", body, (201,)))
        self.model.lots[lot_id].counted = True

    @precondition(lambda self: self.model.lots)
    @rule(pick=st.integers(0, 50))
    def recall(self, pick: int) -> None:
        lot_id = sorted(self.model.lots)[pick % len(self.model.lots)]
        self.run(self._api("POST", f"/v1/lots/{lot_id}/recall", None, (200, 409)))
        self.model.lots[lot_id].recalled = True

    @rule(
        treatment=st.sampled_from(TREATMENTS),
        kit=st.dictionaries(st.sampled_from(PRODUCTS), st.integers(1, 2), min_size=1),
    )
    def change_kit(self, treatment: str, kit: dict[str, int]) -> None:
        items = [{"product_code": p, "quantity": n} for p, n in sorted(kit.items())]
        self.run(self._api("PUT", f"/v1/kits/{treatment}", {"items": items}, (200,)))

    def _pick(self, pick: int) -> uuid.UUID:
        booked = self.model.booked()
        return booked[pick % len(booked)]

    @invariant()
    def stock_agrees_with_the_model(self) -> None:
        state = self.run(snapshot(self.service.inventory))
        held: dict[Any, int] = {}
        for line in state.held:
            held[line.lot_id] = held.get(line.lot_id, 0) + line.quantity
            lot, model = self.model.lots[line.lot_id], self.model.sessions[line.session_id]
            assert model.status == "booked", f"{model.status} session holds vials"
            assert lot.usable_on(model.day), f"{line.lot_id} cannot serve {model.day}"
        for lot_id, row in state.lots.items():
            model_lot = self.model.lots[lot_id]
            assert min(row.reserved, row.consumed) >= 0
            assert row.reserved + row.consumed <= row.quantity, row
            assert row.reserved == held.get(lot_id, 0), row
            assert (row.status == "recalled") == model_lot.recalled, row
            assert model_lot.counted or row.quantity == model_lot.received, row

    @invariant()
    def every_consumption_names_a_lot_usable_when_used(self) -> None:
        async def used() -> list[Any]:
            async with self.service.inventory.app.state.runtime.db.session() as db:
                return list((await db.execute(sa.select(consumptions))).all())

        for row in self.run(used()):
            assert row.lot_id is not None, row
            assert row.lot_id in self.model.usable_when_used[row.session_id], row


def test_stock_keeps_its_invariants_whatever_happens(make_settings: Any) -> None:
    loop = Loop()
    app = build_app(loop.run(make_settings(InventorySettings, scan_first_after_seconds=3600)))
    serving = running(app)
    client = loop.run(serving.__aenter__())
    try:
        kits = loop.run(_kits(app))
        SERVICE[:] = [Service(loop, Inventory(app, client), kits)]
        machine = settings(
            max_examples=12,
            stateful_step_count=12,
            deadline=None,
            # Every step is a round trip to PostgreSQL: shrinking a failure would outlast the
            # test's timeout, so a failure is reported with the steps as they ran.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )(StockMachine)
        machine.TestCase().runTest()
    finally:
        SERVICE.clear()
        loop.run(serving.__aexit__(None, None, None))
        loop.close()


async def _kits(app: Any) -> list[dict[str, Any]]:
    async with app.state.runtime.db.session() as db:
        return [dict(r._mapping) for r in await db.execute(sa.select(kit_items))]
