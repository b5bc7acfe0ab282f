"""Retries wait in quorum queues (replicated across a cluster, issue 16), and the classic retry
queues an earlier release left are drained into them, nothing lost, then deleted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aio_pika
import pytest
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage
from aio_pika.exceptions import ChannelNotFoundEntity, ChannelPreconditionFailed

from clinic_shared.contracts import Envelope
from clinic_shared.messaging import BusOptions, topology
from clinic_shared.messaging.rabbit import ATTEMPT_HEADER, RabbitBus
from clinic_testing.plugin import RabbitNamespace

from .conftest import patient_event

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


@pytest.fixture
def options(amqp_namespace: RabbitNamespace, rabbitmq_url: str) -> BusOptions:
    amqp_namespace.url = rabbitmq_url
    return BusOptions(namespace=amqp_namespace.prefix)


@pytest.fixture
async def connection(rabbitmq_url: str) -> AsyncIterator[AbstractConnection]:
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        yield connection


async def test_retry_queues_are_quorum_queues(
    rabbitmq_url: str, options: BusOptions, connection: AbstractConnection
) -> None:
    bus = RabbitBus(rabbitmq_url, options)
    await bus.connect()
    await bus.close()
    retry = topology.retry_queue_name(options.namespace, "inventory")

    same_but_classic = {
        "x-queue-type": "classic",
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": topology.queue_name(options.namespace, "inventory"),
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }

    channel = await connection.channel()
    with pytest.raises(ChannelPreconditionFailed, match=r"'x-queue-type'.*'quorum'"):
        await channel.declare_queue(retry, durable=True, arguments=same_but_classic)


async def test_an_earlier_release_s_classic_retry_queue_is_drained_into_its_quorum_one(
    rabbitmq_url: str, options: BusOptions, connection: AbstractConnection
) -> None:
    namespace = options.namespace
    channel = await connection.channel()
    old = topology.classic_retry_queue_name(namespace, "inventory")
    # As releases before issue 16 declared it, with retries waiting in it (a minute's delay,
    # so none comes back to the main queue on its own during the test).
    classic = await channel.declare_queue(
        old,
        durable=True,
        arguments={
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": topology.queue_name(namespace, "inventory"),
        },
    )
    waiting = [
        Envelope.wrap(patient_event(f"Waiting{i}"), producer="s", correlation_id="c")
        for i in range(3)
    ]
    for envelope in waiting:
        message = aio_pika.Message(
            envelope.to_bytes(),
            message_id=str(envelope.id),
            headers={ATTEMPT_HEADER: 2},
            expiration=60,
        )
        await channel.default_exchange.publish(message, routing_key=classic.name)

    bus = RabbitBus(rabbitmq_url, options)
    await bus.connect()  # a service of this release starts
    await bus.close()

    with pytest.raises(ChannelNotFoundEntity):
        await (await connection.channel()).get_queue(old, ensure=True)
    moved = await _take_all(connection, topology.retry_queue_name(namespace, "inventory"))
    assert [m.message_id for m in moved] == [str(e.id) for e in waiting]
    assert {m.headers[ATTEMPT_HEADER] for m in moved} == {2}
    assert {m.expiration for m in moved} == {60}


async def _take_all(connection: AbstractConnection, name: str) -> list[AbstractIncomingMessage]:
    queue = await (await connection.channel()).get_queue(name, ensure=True)
    messages = []
    while (message := await queue.get(fail=False)) is not None:
        await message.ack()
        messages.append(message)
    return messages
