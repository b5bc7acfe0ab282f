"""Properties: after any sequence of bookings, moves, cancellations, completions, deliveries,
counts and recalls, the counts agree, no lot is oversold or used past its date, every booked
session's kit is held or recorded short, and nothing is short while valid stock sits free."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic_shared.context import message_context
from clinic_shared.contracts.events import (
    ProductUsed,
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
    SessionRescheduled,
)
from clinic_testing.helpers import clinic_today
from inventory.service_layer.handlers import EVENT_HANDLERS
from inventory.service_layer.scope import open_scope

from .conftest import STOCK, Inventory
from .events import session_event, starts_in
from .invariants import violations

PRODUCTS = ("caffeine", "vitamin-blend", "l-carnitine")
TREATMENTS = ("cellulite-arms", "cellulite-calves")
days = st.integers(1, 30)
pick = st.integers(0, 50)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("book"), days, st.sampled_from(TREATMENTS)),
        st.tuples(st.just("move"), pick, days),
        st.tuples(st.just("cancel"), pick),
        st.tuples(st.just("complete"), pick),
        st.tuples(st.just("complete_from"), pick, pick, st.integers(1, 3)),
        st.tuples(st.just("receive"), st.sampled_from(PRODUCTS), days, st.integers(1, 4)),
        st.tuples(st.just("count"), pick, st.integers(0, 4)),
        st.tuples(st.just("recall"), pick),
    ),
    max_size=14,
)


@dataclass
class World:
    inventory: Inventory
    sessions: list[tuple[uuid.UUID, str, int]] = field(default_factory=list)
    lots: list[str] = field(default_factory=list)

    async def handle(self, event: Any) -> None:
        with message_context("prop", str(uuid.uuid4())):
            async with open_scope(self.inventory.app.state.runtime) as scope:
                await EVENT_HANDLERS[event.TYPE](event, scope)
                await scope.uow.commit()

    async def apply(self, op: tuple[Any, ...]) -> None:
        kind, *args = op
        if kind == "book":
            session = (uuid.uuid4(), args[1], args[0])
            self.sessions.append(session)
            await self.handle(self.event(SessionBooked, session))
        elif kind in ("move", "cancel", "complete") and self.sessions:
            session = self.sessions[args[0] % len(self.sessions)]
            if kind == "move":
                moved = (session[0], session[1], args[1])
                await self.handle(
                    self.event(SessionRescheduled, moved, previous_starts_at=starts_in(session[2]))
                )
            else:
                cls = SessionCancelled if kind == "cancel" else SessionCompleted
                await self.handle(self.event(cls, session))
        elif kind == "complete_from" and self.sessions and self.lots:
            await self.complete_from(self.sessions[args[0] % len(self.sessions)], *args[1:])
        elif kind == "receive":
            await self.receive(*args)
        elif kind in ("count", "recall") and self.lots:
            await self.change_lot(kind, self.lots[args[0] % len(self.lots)], args[-1])

    async def complete_from(
        self, session: tuple[uuid.UUID, str, int], lot_pick: int, quantity: int
    ) -> None:
        """Complete naming a lot the practitioner took vials from, whoever had it reserved."""
        lot = self.lots[lot_pick % len(self.lots)]
        found = await self.inventory.client.get("/v1/lots", headers=STOCK)
        [named] = [x for x in found.json() if x["id"] == lot]
        used = ProductUsed(
            product_code=named["product_code"], lot_number=named["lot_number"], quantity=quantity
        )
        await self.handle(self.event(SessionCompleted, session, products_used=[used]))

    def event(self, cls: Any, session: tuple[uuid.UUID, str, int], **extra: Any) -> Any:
        return session_event(cls, session[0], days=session[2], treatment=session[1], **extra)

    async def receive(self, product: str, expires_in: int, quantity: int) -> None:
        expires_on = (clinic_today() + timedelta(days=expires_in)).isoformat()
        body = {"product_code": product, "lot_number": uuid.uuid4().hex[:12]}
        body |= {"expires_on": expires_on, "quantity": quantity}
        response = await self.inventory.client.post("/v1/receipts", json=body, headers=STOCK)
        assert response.status_code == 201, response.text
        self.lots.append(response.json()["id"])

    async def change_lot(self, kind: str, lot_id: str, counted: int) -> None:
        client = self.inventory.client
        if kind == "recall":
            response = await client.post(f"/v1/lots/{lot_id}/recall", headers=STOCK)
            assert response.status_code in (200, 409), response.text
            return
        body = {
            "lot_id": lot_id,
            "kind": "count_correction",
            "quantity": counted,
            "reason": "count",
        }
        response = await client.post("/v1/adjustments", json=body, headers=STOCK)
        assert response.status_code == 201, response.text


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations)
async def test_stock_stays_consistent_whatever_happens(inventory: Inventory, steps: list) -> None:
    world = World(inventory)
    for step in steps:
        await world.apply(step)
        assert await violations(inventory) == [], step
