"""Consumers: each event applied once, poison dead-lettered, consumption survives a cut."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import PatientRegistered
from clinic_shared.messaging import topology
from clinic_shared.outbox import InboxConsumer, UnitOfWork
from clinic_testing.helpers import eventually

from .conftest import Harness, Received, inbox, notes, patient_event


def _note_consumer(harness: Harness) -> InboxConsumer:
    async def write_note(event: PatientRegistered, uow: UnitOfWork) -> None:
        await uow.session.execute(
            sa.insert(notes).values(id=str(uuid.uuid4()), text=event.first_name)
        )

    return InboxConsumer("inventory", harness.uow, inbox, {PatientRegistered.TYPE: write_note})


async def _note_count(harness: Harness) -> int:
    async with harness.db.session() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(notes)) or 0)


def _envelope(name: str = "Ada", **data: object) -> Envelope:
    event = patient_event(name)
    return Envelope(
        type=event.TYPE,
        version=event.VERSION,
        producer="scheduling",
        correlation_id="corr-1",
        data=event.model_dump(mode="json") | data,
    )


async def test_same_event_delivered_twice_changes_state_once(harness: Harness) -> None:
    consumer = _note_consumer(harness)
    envelope = _envelope()

    await consumer(envelope)
    await consumer(envelope)
    await asyncio.gather(
        *(consumer(_envelope("Twin").model_copy(update={"id": envelope.id})) for _ in range(2))
    )

    assert await _note_count(harness) == 1


async def test_same_event_redelivered_by_the_bus_is_applied_once(harness: Harness) -> None:
    await harness.bus.subscribe("inventory", _note_consumer(harness))
    envelope = _envelope()

    for _ in range(3):
        await harness.bus.publish(envelope)

    async def handled() -> int:
        async with harness.db.session() as session:
            return int(await session.scalar(sa.select(sa.func.count()).select_from(inbox)) or 0)

    await eventually(handled, until=lambda n: n == 1)
    await asyncio.sleep(0.3)
    assert await _note_count(harness) == 1


async def test_poison_message_is_dead_lettered_after_its_attempts_without_blocking_others(
    harness: Harness,
) -> None:
    attempts: list[str] = []
    done: list[str] = []

    async def handler(envelope: Envelope) -> None:
        name = envelope.data["first_name"]
        attempts.append(name)
        if name == "Poison":
            raise RuntimeError("this message always fails")
        done.append(name)

    await harness.bus.subscribe("inventory", handler)
    await harness.bus.publish(_envelope("Poison"))
    for i in range(5):
        await harness.bus.publish(_envelope(f"Good{i}"))

    await eventually(lambda: _len(done), until=lambda n: n == 5)
    await eventually(lambda: harness.bus.dead_letter_count("inventory"), until=lambda n: n == 1)
    assert attempts.count("Poison") == harness.options.max_attempts
    assert sorted(done) == [f"Good{i}" for i in range(5)]


async def test_message_breaking_its_contract_is_dead_lettered_at_once(harness: Harness) -> None:
    consumer = _note_consumer(harness)
    calls = 0

    async def counting(envelope: Envelope) -> None:
        nonlocal calls
        calls += 1
        await consumer(envelope)

    await harness.bus.subscribe("inventory", counting)
    await harness.bus.publish(_envelope(patient_id="not-a-uuid"))

    await eventually(lambda: harness.bus.dead_letter_count("inventory"), until=lambda n: n == 1)
    assert calls == 1
    assert await _note_count(harness) == 0


async def test_transient_failure_is_retried_after_a_delay_then_succeeds(harness: Harness) -> None:
    seen: list[float] = []

    async def flaky(envelope: Envelope) -> None:
        seen.append(asyncio.get_running_loop().time())
        if len(seen) < 2:
            raise ConnectionError("database blinked")

    await harness.bus.subscribe("inventory", flaky)
    await harness.bus.publish(_envelope())

    await eventually(lambda: _len(seen), until=lambda n: n == 2)
    assert seen[1] - seen[0] >= harness.options.retry_delay_seconds * 0.9
    assert await harness.bus.dead_letter_count("inventory") == 0


async def test_a_database_outage_longer_than_the_retries_does_not_dead_letter(
    harness: Harness,
) -> None:
    """pg_terminate_backend and restarts fail every try for a while: the message is fine, it
    waits for the database instead of using up its attempts (the fault tests lost bookings)."""
    tries: list[int] = []
    outage = harness.options.max_attempts + 2

    async def during_outage(envelope: Envelope) -> None:
        tries.append(1)
        if len(tries) <= outage:
            raise OperationalError("SELECT 1", {}, Exception("terminating connection"))

    await harness.bus.subscribe("inventory", during_outage)
    await harness.bus.publish(_envelope())

    await eventually(lambda: _len(tries), until=lambda n: n == outage + 1, timeout=30)
    assert await harness.bus.dead_letter_count("inventory") == 0


@pytest.mark.parametrize("bus_kind", ["rabbitmq"], indirect=True)
async def test_consumer_keeps_consuming_after_its_connection_is_cut(harness: Harness) -> None:
    async with harness.bus_behind_proxy() as (proxy, consumer_bus):
        received = Received()
        await consumer_bus.subscribe("inventory", received)
        first = _envelope("Before")
        await harness.bus.publish(first)
        await eventually(lambda: _len(received.envelopes), until=lambda n: n == 1)

        await proxy.cut()
        await eventually(lambda: _ready(consumer_bus), until=lambda r: not r, timeout=5)
        second = _envelope("After")
        await harness.bus.publish(second)

        await eventually(lambda: _ready(consumer_bus), timeout=15)
        await eventually(lambda: _len(received.envelopes), until=lambda n: n >= 2, timeout=15)
        assert received.ids[-1] == second.id


async def _len(items: list) -> int:
    return len(items)


async def _ready(bus) -> bool:
    return bool(bus.health().ready)


@pytest.mark.parametrize("bus_kind", ["rabbitmq"], indirect=True)
async def test_a_binding_an_earlier_release_made_is_removed_on_upgrade(harness: Harness) -> None:
    """Notifications once took `inventory.#`; a broker upgraded in place must stop routing it."""
    assert harness.amqp_url is not None
    exchange = harness.options.namespace + topology.EXCHANGE
    queue_name = topology.queue_name(harness.options.namespace, "notifications")
    connection = await aio_pika.connect(harness.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        await queue.bind(exchange, routing_key="inventory.#")  # as the old release left it
        await queue.purge()

        await harness.another_bus()  # a service of this release starts and declares the topology
        reserved = Envelope(
            type="inventory.stock.reserved",
            version=1,
            producer="inventory",
            correlation_id="corr-2",
            data={},
        )
        # Publisher confirms come once the broker has routed a message to every bound queue.
        await harness.bus.publish(reserved)
        await harness.bus.publish(_envelope("Zoe"))  # a scheduling event it does want

        declared = await channel.declare_queue(queue_name, passive=True)
        assert declared.declaration_result.message_count == 1
