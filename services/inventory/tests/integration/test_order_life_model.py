"""Property: after any sequence of drafting, editing, sending, receiving and cancelling orders,
run through the service layer on PostgreSQL, each order is what a small pure model of its life
says (status, ordered, received), a refused step changed nothing, and what is on order is the
due of the open orders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clinic_shared.db import utcnow
from clinic_shared.errors import AppError
from clinic_testing.helpers import clinic_today
from inventory.domain.orders import ALLOWED, OPEN_STATUSES, OrderLine
from inventory.service_layer import purchase_orders as orders
from inventory.service_layer.scope import open_scope

from .conftest import STOCK, Inventory

PRODUCTS = ("lidocaine", "caffeine")
pick = st.integers(0, 5)
vials = st.integers(1, 12)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("draft"), vials),
        st.tuples(st.just("edit"), pick, st.sampled_from(PRODUCTS), vials),
        st.tuples(st.just("send"), pick),
        st.tuples(st.just("receive"), pick, st.sampled_from(PRODUCTS), vials, st.booleans()),
        st.tuples(st.just("cancel"), pick),
    ),
    max_size=12,
)


@dataclass
class Model:
    status: str = "draft"
    lines: dict[str, list[int]] = field(default_factory=dict)  # product -> [ordered, received]

    def due(self, product: str) -> int:
        ordered, received = self.lines[product]
        return max(0, ordered - received)

    def allows(self, action: str) -> bool:
        return self.status in ALLOWED[action]  # type: ignore[index]


@dataclass
class World:
    inventory: Inventory
    supplier_id: uuid.UUID
    ids: list[uuid.UUID] = field(default_factory=list)
    models: list[Model] = field(default_factory=list)
    lots: int = 0
    before: dict[str, int] = field(default_factory=dict)  # on order from earlier examples

    async def run(self, step: Any) -> bool:
        """Run the step in its own transaction; True when it committed."""
        runtime = self.inventory.app.state.runtime
        try:
            async with open_scope(runtime) as scope:
                await step(scope)
                await scope.uow.commit()
        except AppError:
            return False
        return True

    async def apply(self, op: tuple[Any, ...]) -> None:
        kind, now, today = op[0], utcnow(), clinic_today()
        if kind == "draft":
            has_draft = any(m.status == "draft" for m in self.models)
            lines = [OrderLine("lidocaine", op[1])]
            made: list[uuid.UUID] = []

            async def draft(scope: Any) -> None:
                made.append((await orders.draft_order(scope, self.supplier_id, lines, now)).id)

            assert await self.run(draft) is not has_draft
            if made:
                self.ids.append(made[0])
                self.models.append(Model(lines={"lidocaine": [op[1], 0]}))
            return
        if not self.ids:
            return
        index = op[1] % len(self.ids)
        order_id, model = self.ids[index], self.models[index]
        if kind == "edit":
            lines = [OrderLine(op[2], op[3])]
            done = await self.run(lambda s: orders.edit_draft(s, order_id, lines, now))
            assert done is model.allows("edit")
            if done:
                model.lines = {op[2]: [op[3], 0]}
        elif kind == "send":
            done = await self.run(lambda s: orders.send_order(s, order_id, today=today, now=now))
            assert done is model.allows("send")
            if done:
                model.status = "sent"
        elif kind == "cancel":
            done = await self.run(lambda s: orders.cancel_order(s, order_id, now=now))
            assert done is model.allows("cancel")
            if done:
                model.status = "cancelled"
        else:
            _, _, product, quantity, reason = op
            self.lots += 1
            cmd = orders.ReceiveAgainstOrder(
                product, f"P-{self.lots}", today + timedelta(days=300), quantity,
                "extra vials sent" if reason else None,
            )  # fmt: skip
            done = await self.run(
                lambda s: orders.receive_against_order(
                    s, order_id, cmd, today=today, now=now, by="test"
                )
            )
            fits = product in model.lines and (reason or quantity <= model.due(product))
            assert done is bool(model.allows("receive") and fits)
            if done:
                model.lines[product][1] += quantity
                complete = all(model.due(p) == 0 for p in model.lines)
                model.status = "received" if complete else "partially_received"

    async def check(self) -> None:
        async with open_scope(self.inventory.app.state.runtime) as scope:
            on_order = await scope.orders.on_order()
            for order_id, model in zip(self.ids, self.models, strict=True):
                order = await orders.get_order(scope, order_id)
                assert order.status == model.status
                stored = {line.product_code: [line.quantity, line.received] for line in order.lines}
                assert stored == model.lines
        expected = dict(self.before)
        for model in self.models:
            if model.status in OPEN_STATUSES:
                for product in model.lines:
                    expected[product] = expected.get(product, 0) + model.due(product)
        assert {p: n for p, n in on_order.items() if n} == {p: n for p, n in expected.items() if n}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(
    first=9,
    steps=[
        ("send", 0),
        ("receive", 0, "lidocaine", 4, False),
        ("receive", 0, "lidocaine", 6, False),  # more than the 5 due, without a reason
        ("receive", 0, "caffeine", 1, True),  # not on the order
        ("receive", 0, "lidocaine", 7, True),
        ("cancel", 0),
        ("draft", 2),
        ("receive", 1, "lidocaine", 1, False),  # a draft takes no receipts
        ("cancel", 1),
    ],
)
@given(first=vials, steps=operations)
async def test_every_order_follows_its_model_whatever_staff_do(
    inventory: Inventory, first: int, steps: list
) -> None:
    terms = [
        {"product_code": p, "lead_time_days": 3, "pack_size": 1, "minimum_order": 1}
        for p in PRODUCTS
    ]
    body = {"name": f"S-{uuid.uuid4().hex[:6]}", "products": terms}
    added = await inventory.client.post("/v1/suppliers", json=body, headers=STOCK)
    assert added.status_code == 201, added.text
    world = World(inventory, uuid.UUID(added.json()["id"]))
    async with open_scope(inventory.app.state.runtime) as scope:
        world.before = await scope.orders.on_order()
    for step in [("draft", first), *steps]:
        await world.apply(step)
        await world.check()
