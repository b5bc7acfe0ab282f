"""The bus recovers its publisher by itself (issue 16): a run of nacks reopens its channel, a
confirm that does not come starts its connection over, and the outbox publishes again what was
not confirmed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aio_pika
import pytest
import sqlalchemy as sa

from clinic_shared.contracts import Envelope
from clinic_shared.db import Database, utcnow
from clinic_shared.messaging import BusOptions, PublishError, UnroutableError, topology
from clinic_shared.messaging.publisher import NACK_RUN
from clinic_shared.messaging.rabbit import RabbitBus
from clinic_shared.outbox import OutboxRelay, UnitOfWork
from clinic_testing.helpers import eventually
from clinic_testing.plugin import RabbitNamespace
from clinic_testing.postgres import PostgresDatabases
from clinic_testing.tcp_proxy import TcpProxy

from .conftest import Received, metadata, outbox, patient_event

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


@pytest.fixture
def options(amqp_namespace: RabbitNamespace, rabbitmq_url: str) -> BusOptions:
    amqp_namespace.url = rabbitmq_url
    return BusOptions(namespace=amqp_namespace.prefix, publish_timeout_seconds=1.0)


@pytest.fixture
async def bus(rabbitmq_url: str, options: BusOptions) -> AsyncIterator[RabbitBus]:
    bus = RabbitBus(rabbitmq_url, options)
    await bus.connect()
    yield bus
    await bus.close()


@contextlib.asynccontextmanager
async def refusing_queue(url: str, options: BusOptions) -> AsyncIterator[None]:
    """A full queue that refuses what it is sent, bound to patient events: the broker nacks
    every one of them, as it nacked a reconnected channel's publishes in issue 16."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(
            f"{options.namespace}refusing",
            arguments={"x-max-length": 0, "x-overflow": "reject-publish"},
            auto_delete=True,
        )
        exchange = options.namespace + topology.EXCHANGE
        await queue.bind(exchange, routing_key="scheduling.patient.*")
        yield
        await queue.unbind(exchange, routing_key="scheduling.patient.*")


def envelope(name: str = "Ada") -> Envelope:
    return Envelope.wrap(patient_event(name), producer="scheduling", correlation_id="c")


async def test_a_run_of_nacks_reopens_the_publisher_channel(
    bus: RabbitBus, rabbitmq_url: str, options: BusOptions
) -> None:
    received = Received()
    await bus.subscribe("inventory", received)
    async with refusing_queue(rabbitmq_url, options):
        for index in range(NACK_RUN):
            assert bus.channel_reopens == 0
            with pytest.raises(PublishError) as refused:
                await bus.publish(envelope(f"Refused{index}"))
            assert not isinstance(refused.value, UnroutableError)
        assert bus.channel_reopens == 1

    after = envelope("After")
    await bus.publish(after)  # on the new channel, confirmed

    await eventually(lambda: _ids(received), until=lambda ids: after.id in ids)
    assert bus.connection_reopens == 0


async def test_a_confirm_that_never_comes_starts_the_connection_over(
    rabbitmq_url: str, options: BusOptions
) -> None:
    broker = urlsplit(rabbitmq_url)
    proxy = TcpProxy(broker.hostname or "127.0.0.1", broker.port or 5672)
    await proxy.start()
    bus = RabbitBus(rabbitmq_url.replace(f":{broker.port}", f":{proxy.port}"), options)
    try:
        await bus.connect()
        proxy.freeze()  # the broker goes silent; the TCP connection stays up

        with pytest.raises(PublishError, match="not confirmed in"):
            await bus.publish(envelope("Silent"))

        assert (bus.channel_reopens, bus.connection_reopens) == (0, 1)
        await eventually(lambda: _publishes(bus), timeout=20)
    finally:
        await bus.close()
        await proxy.close()


async def test_events_the_broker_nacked_stay_in_the_outbox_and_go_out_again(
    bus: RabbitBus,
    rabbitmq_url: str,
    options: BusOptions,
    postgres_databases: PostgresDatabases,
) -> None:
    db = Database(await postgres_databases.fresh("shared", metadata=metadata))
    relay = OutboxRelay(db, outbox, bus)
    received = Received()
    await bus.subscribe("inventory", received)
    try:
        async with refusing_queue(rabbitmq_url, options):
            committed = [await _commit(db, f"Nacked{i}") for i in range(NACK_RUN)]
            assert await relay.publish_batch() == 0
            assert await _statuses(db) == {("pending", 1)}
            assert bus.channel_reopens == 1

        await _make_due(db)
        assert await relay.publish_batch() == NACK_RUN
        await eventually(
            lambda: _ids(received), until=lambda ids: {e.id for e in committed} <= set(ids)
        )
        assert await _statuses(db) == {("published", 1)}
    finally:
        await db.dispose()


async def _commit(db: Database, name: str) -> Envelope:
    async with UnitOfWork(db, outbox, producer="scheduling") as uow:
        emitted = uow.emit(patient_event(name))
        await uow.commit()
    return emitted


async def _statuses(db: Database) -> set[tuple[str, int]]:
    async with db.session() as session:
        rows = await session.execute(sa.select(outbox.c.status, outbox.c.attempts))
        return {(r.status, r.attempts) for r in rows}


async def _make_due(db: Database) -> None:
    """Skip the relay's backoff, which the test need not wait out."""
    async with db.session() as session, session.begin():
        await session.execute(sa.update(outbox).values(next_attempt_at=utcnow()))


async def _ids(received: Received) -> list:
    return received.ids


async def _publishes(bus: RabbitBus) -> bool:
    try:
        await bus.publish(envelope("Again"))
    except PublishError:
        return False
    return True
