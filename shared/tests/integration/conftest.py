from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import PatientRegistered
from clinic_shared.db import Database
from clinic_shared.messaging import BusOptions, InMemoryBus, MessageBus
from clinic_shared.messaging.rabbit import RabbitBus
from clinic_shared.outbox import OutboxRelay, UnitOfWork, inbox_table, outbox_table
from clinic_testing.tcp_proxy import TcpProxy

metadata = sa.MetaData()
notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("text", sa.String(200), nullable=False),
)
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)


def patient_event(name: str = "Ada") -> PatientRegistered:
    return PatientRegistered(patient_id=uuid.uuid4(), first_name=name, last_name="Test")


class Clock:
    """A monotonic clock a test moves (a relay's waits in memory and between its table reads)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Received:
    """What a test consumer saw, in order."""

    envelopes: list[Envelope] = field(default_factory=list)

    async def __call__(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    @property
    def ids(self) -> list[uuid.UUID]:
        return [e.id for e in self.envelopes]


@dataclass
class Harness:
    bus_kind: str
    db: Database
    bus: MessageBus
    options: BusOptions
    amqp_url: str | None
    extra_buses: list[MessageBus] = field(default_factory=list)

    def uow(self, on_commit: Callable[[Sequence[Envelope]], None] | None = None) -> UnitOfWork:
        return UnitOfWork(self.db, outbox, producer="scheduling", on_commit=on_commit)

    def relay(self, bus: MessageBus | None = None, **kwargs: Any) -> OutboxRelay:
        return OutboxRelay(self.db, outbox, bus or self.bus, **{"poll_seconds": 0.05, **kwargs})

    async def another_bus(self, url: str | None = None) -> MessageBus:
        """A second connection to the same broker (the in-memory bus is one per process)."""
        if self.amqp_url is None:
            return self.bus
        bus = RabbitBus(url or self.amqp_url, self.options)
        await bus.connect()
        self.extra_buses.append(bus)
        return bus

    @asynccontextmanager
    async def bus_behind_proxy(self) -> AsyncIterator[tuple[TcpProxy, MessageBus]]:
        """A second connection to the broker, through a TCP proxy the test can cut."""
        assert self.amqp_url is not None, "only the RabbitMQ bus has a connection to cut"
        broker = make_url(self.amqp_url.replace("amqp://", "postgresql://"))
        proxy = TcpProxy(broker.host or "127.0.0.1", broker.port or 5672)
        await proxy.start()
        try:
            url = self.amqp_url.replace(f":{broker.port}", f":{proxy.port}")
            yield proxy, await self.another_bus(url)
        finally:
            await proxy.close()

    async def commit_event(self, name: str = "Ada", relay: OutboxRelay | None = None) -> Envelope:
        """A note and its event committed; handed over to `relay` after, as the runtime's units
        of work hand theirs to its relay (none: as a process that died before doing so)."""
        async with self.uow(relay.hand_over if relay else None) as uow:
            await uow.session.execute(sa.insert(notes).values(id=str(uuid.uuid4()), text=name))
            envelope = uow.emit(patient_event(name))
            await uow.commit()
        return envelope

    async def outbox_rows(self) -> list[sa.Row[tuple[str, str, int]]]:
        async with self.db.session() as session:
            result = await session.execute(
                sa.select(outbox.c.id, outbox.c.status, outbox.c.attempts)
            )
            return list(result.all())


@pytest.fixture(params=["memory", "rabbitmq"])
def bus_kind(request: pytest.FixtureRequest) -> str:
    """The bus under test: the in-memory one of `make run`, or RabbitMQ; both on PostgreSQL."""
    return str(request.param)


@pytest.fixture
async def harness(bus_kind, postgres_databases, request, amqp_namespace) -> AsyncIterator[Harness]:
    options = BusOptions(
        namespace=amqp_namespace.prefix,
        prefetch=8,
        max_attempts=3,
        retry_delay_seconds=0.1,
        publish_timeout_seconds=2.0,
    )
    bus: MessageBus
    db = Database(await postgres_databases.fresh("shared", metadata=metadata))
    if bus_kind == "memory":
        bus, amqp_url = InMemoryBus(options), None
    else:
        amqp_url = amqp_namespace.url = request.getfixturevalue("rabbitmq_url")
        bus = RabbitBus(amqp_url, options)
    await bus.connect()
    harness = Harness(bus_kind, db, bus, options, amqp_url)
    yield harness
    for extra in harness.extra_buses:
        await extra.close()
    await bus.close()
    await db.dispose()
