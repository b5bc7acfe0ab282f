"""Drift between scheduling and its consumers' copies, repaired by reconciliation end to end.

Scheduling is served over HTTP; inventory and notifications read its session list with their own
tokens. While they are stopped, a session is booked, one cancelled and one moved, and their events
are purged from the consumers' queues (lost); a kit is changed in inventory's tables without any
booked session hearing of it. Reconciling repairs each kind once, holds no vial or message twice,
and a second run finds nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aio_pika
import httpx
import pytest
import sqlalchemy as sa

from clinic_shared.messaging import topology
from clinic_testing.helpers import Served, bearer, eventually, running
from inventory.adapters.orm import kit_items, lots, reservations
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from notifications.adapters.orm import messages
from notifications.adapters.orm import sessions as copies
from notifications.bootstrap import build_app as notifications_app
from notifications.settings import NotificationsSettings
from scheduling.adapters.orm import outbox
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.settings import SchedulingSettings

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]
PARIS = ZoneInfo("Europe/Paris")
DESK, ADMIN, STOCK = bearer("receptionist"), bearer("admin"), bearer("stock_manager")
PRODUCTS = ("caffeine", "l-carnitine", "artichoke", "vitamin-blend", "lidocaine")


def week_ahead(weeks: int, weekday: int) -> datetime:
    """10:00 at the clinic on `weekday` (0 is Monday) of the week `weeks` from now."""
    today = datetime.now(PARIS).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
    return datetime.combine(monday + timedelta(days=weekday), time(10), tzinfo=PARIS)


@pytest.fixture
async def scheduling(stack_settings: Any) -> AsyncIterator[Served]:
    served = Served(scheduling_app(await stack_settings(SchedulingSettings)))
    await served.start()
    try:
        yield served
    finally:
        await served.stop()


class Desk:
    """The receptionist at scheduling's API: one patient, one practitioner, one room."""

    def __init__(self, api: httpx.AsyncClient) -> None:
        self.api = api
        self.patient = self.doctor = self.room = ""

    async def open(self) -> None:
        doctor = await self.api.post("/v1/practitioners", json={"name": "Dr R"}, headers=ADMIN)
        self.doctor = doctor.json()["id"]
        hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]
        await self.api.put(f"/v1/practitioners/{self.doctor}/hours", json=hours, headers=ADMIN)
        self.room = (await self.api.post("/v1/rooms", json={"name": "R"}, headers=ADMIN)).json()[
            "id"
        ]
        patient = {"first_name": "Rita", "last_name": "Drift", "phone": "+33612345678",
                   "preferred_channel": "sms", "consent_sms": True}  # fmt: skip
        self.patient = (await self.api.post("/v1/patients", json=patient, headers=DESK)).json()[
            "id"
        ]

    async def book(self, treatment: str, starts_at: datetime) -> str:
        course = {"patient_id": self.patient, "treatment_code": treatment,
                  "practitioner_id": self.doctor, "sessions_planned": 8}  # fmt: skip
        course_id = (await self.api.post("/v1/courses", json=course, headers=DESK)).json()["id"]
        booking = {"course_id": course_id, "starts_at": starts_at.isoformat(),
                   "room_id": self.room}  # fmt: skip
        booked = await self.api.post("/v1/sessions", json=booking, headers=DESK)
        assert booked.status_code == 201, booked.text
        return str(booked.json()["id"])

    async def cancel(self, session: str) -> None:
        answer = await self.api.post(f"/v1/sessions/{session}/cancel", headers=DESK)
        assert answer.status_code == 200, answer.text

    async def move(self, session: str, starts_at: datetime) -> None:
        answer = await self.api.post(
            f"/v1/sessions/{session}/reschedule",
            json={"starts_at": starts_at.isoformat()},
            headers=DESK,
        )
        assert answer.status_code == 200, answer.text


async def rows(app: Any, query: Any) -> list[Any]:
    async with app.state.runtime.db.session() as db:
        return list((await db.execute(query)).all())


async def held(inventory: Any, session: str) -> dict[str, int]:
    """Vials the session holds, by product."""
    found = await rows(
        inventory,
        sa.select(reservations.c.product_code, sa.func.sum(reservations.c.quantity))
        .where(reservations.c.session_id == session, reservations.c.status == "reserved")
        .group_by(reservations.c.product_code),
    )
    return {product: int(n) for product, n in found}


async def nothing_doubled(inventory: Any) -> None:
    """Every lot's reserved count is the sum of its held reservation lines."""
    lines = await rows(
        inventory,
        sa.select(reservations.c.lot_id, sa.func.sum(reservations.c.quantity))
        .where(reservations.c.status == "reserved")
        .group_by(reservations.c.lot_id),
    )
    by_lot = {lot: int(n) for lot, n in lines}
    counters = await rows(inventory, sa.select(lots.c.id, lots.c.reserved))
    assert {lot: n for lot, n in counters if n} == by_lot


async def messages_of(notifications: Any, session: str) -> list[tuple[str, str, Any]]:
    found = await rows(
        notifications,
        sa.select(messages.c.kind, messages.c.status, messages.c.anchor_at).where(
            messages.c.session_id == session
        ),
    )
    return [tuple(r) for r in found]


async def lose_pending_events(scheduling: Any, namespace: str, amqp_url: str) -> None:
    """Once scheduling has published everything, purge the stopped consumers' queues."""

    async def unsent() -> int:
        pending = await rows(scheduling, sa.select(outbox.c.id).where(outbox.c.status == "pending"))
        return len(pending)

    await eventually(unsent, until=lambda n: n == 0, timeout=30)
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for consumer in ("inventory", "notifications"):
            name = topology.queue_name(namespace, consumer)
            queue = await channel.declare_queue(name, passive=True)
            await queue.purge()


async def reconcile(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.post("/v1/admin/reconcile", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_lost_events_and_a_stale_kit_are_repaired_once(
    stack_settings: Any, scheduling: Served, rabbitmq_url: str, amqp_namespace: Any
) -> None:
    common = {"scheduling_url": scheduling.url, "reconcile_first_after_seconds": 3600}
    stock_settings = await stack_settings(InventorySettings, **common)
    notify_settings = await stack_settings(NotificationsSettings, dispatch_enabled=False, **common)
    scheduling_side = scheduling.server.config.app
    async with httpx.AsyncClient(base_url=scheduling.url, timeout=20) as api:
        desk = Desk(api)
        apps = (inventory_app(stock_settings), notifications_app(notify_settings))
        async with running(apps[0]) as stock, running(apps[1]) as notify:
            for product in PRODUCTS:
                body = {"product_code": product, "lot_number": f"{product}-1",
                        "expires_on": (date.today() + timedelta(days=400)).isoformat(),
                        "quantity": 20}  # fmt: skip
                received = await stock.post("/v1/receipts", json=body, headers=STOCK)
                assert received.status_code == 201, received.text
            await desk.open()
            cancelled = await desk.book("cellulite-abdomen", week_ahead(4, 1))
            moved = await desk.book("cellulite-calves", week_ahead(4, 2))
            refitted = await desk.book("cellulite-arms", week_ahead(4, 3))

            async def heard() -> tuple[int, int]:
                known = await rows(apps[1], sa.select(copies.c.session_id))
                return len(await rows(apps[0], sa.select(reservations.c.id))), len(known)

            await eventually(heard, until=lambda n: n == (9, 3), timeout=30)
        # The consumers are stopped: what happens now never reaches them.
        lost = await desk.book("cellulite-thighs", week_ahead(4, 0))
        await desk.cancel(cancelled)
        await desk.move(moved, week_ahead(5, 2))
        await lose_pending_events(scheduling_side, amqp_namespace.prefix, rabbitmq_url)
        inventory, notifications = inventory_app(stock_settings), notifications_app(notify_settings)
        async with inventory.state.runtime.db.session() as db:  # arms: artichoke, not caffeine
            arms = kit_items.c.treatment_code == "cellulite-arms"
            await db.execute(
                sa.delete(kit_items).where(arms, kit_items.c.product_code == "caffeine")
            )
            await db.execute(sa.insert(kit_items).values(
                treatment_code="cellulite-arms", product_code="artichoke", quantity=1))  # fmt: skip
            await db.commit()

        async with running(inventory) as stock, running(notifications) as notify:
            stocked = await reconcile(stock)
            told = await reconcile(notify)
            stocked_again, told_again = await reconcile(stock), await reconcile(notify)

            assert stocked["found"] == stocked["repaired"] == {
                "cancelled_still_reserved": 1, "missing": 1, "moved": 1, "stale_kit": 1,
            }  # fmt: skip
            assert told["found"] == told["repaired"] == {
                "cancelled_still_booked": 1, "missing": 1, "moved": 1,
            }  # fmt: skip
            assert (stocked_again["found"], told_again["found"]) == ({}, {})
            assert await held(inventory, lost) == {"caffeine": 2, "l-carnitine": 2,
                "artichoke": 1, "vitamin-blend": 1, "lidocaine": 1}  # fmt: skip
            assert await held(inventory, cancelled) == {}
            assert await held(inventory, refitted) == {"artichoke": 1, "vitamin-blend": 1}
            await nothing_doubled(inventory)
            lost_messages = await messages_of(notifications, lost)
            assert [kind for kind, _, _ in lost_messages].count("confirmation") == 1
            assert "reminder" in [kind for kind, _, _ in lost_messages]
            assert not [m for m in await messages_of(notifications, cancelled)
                        if m[0] == "reminder" and m[1] == "scheduled"]  # fmt: skip
            reminders = {anchor for kind, status, anchor in await messages_of(notifications, moved)
                         if kind == "reminder" and status == "scheduled"}  # fmt: skip
            assert reminders == {week_ahead(5, 2)}
