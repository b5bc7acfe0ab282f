from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aio_pika
import httpx
import pytest
from fastapi import FastAPI

from clinic_shared.contracts import Envelope
from clinic_shared.messaging import topology
from clinic_testing.helpers import running
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from notifications.bootstrap import build_app as notifications_app
from notifications.settings import NotificationsSettings
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.settings import SchedulingSettings


@dataclass
class Stack:
    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    amqp_url: str
    namespace: str

    @asynccontextmanager
    async def observe(self, *patterns: str) -> AsyncIterator[list[Envelope]]:
        """Every event matching `patterns`, in arrival order, on a queue of the test's own."""
        seen: list[Envelope] = []
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(exclusive=True, auto_delete=True)
            for pattern in patterns:
                await queue.bind(self.namespace + topology.EXCHANGE, routing_key=pattern)

            async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
                seen.append(Envelope.from_bytes(message.body))
                await message.ack()

            await queue.consume(on_message)
            yield seen


SERVICES = (
    ("scheduling", SchedulingSettings, scheduling_app),
    ("inventory", InventorySettings, inventory_app),
    ("notifications", NotificationsSettings, notifications_app),
)


@pytest.fixture
def overrides() -> dict[str, dict[str, Any]]:
    """Settings of the stack's services beyond the defaults, by service name (a module of tests
    may override this fixture)."""
    return {}


@pytest.fixture
async def stack(
    stack_settings, rabbitmq_url, amqp_namespace, overrides: dict[str, dict[str, Any]]
) -> AsyncIterator[Stack]:
    """The three services, each on its own PostgreSQL database, over one real RabbitMQ."""
    apps = {
        name: build(await stack_settings(cls, **overrides.get(name, {})))
        for name, cls, build in SERVICES
    }
    async with (
        running(apps["scheduling"]) as scheduling,
        running(apps["inventory"]) as inventory,
        running(apps["notifications"]) as notifications,
    ):
        yield Stack(
            apps,
            {"scheduling": scheduling, "inventory": inventory, "notifications": notifications},
            rabbitmq_url,
            amqp_namespace.prefix,
        )
