"""The in-memory bus used in embedded mode routes like the broker and copies like the wire."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import PatientRegistered
from clinic_shared.messaging import BusOptions, InMemoryBus, UnroutableError


def patient_registered() -> Envelope:
    event = PatientRegistered(patient_id=uuid.uuid4(), first_name="Ada", last_name="Lovelace")
    return Envelope.wrap(event, producer="scheduling", correlation_id="corr-1")


class Collector:
    def __init__(self) -> None:
        self.received: list[Envelope] = []
        self.arrived = asyncio.Event()

    async def __call__(self, envelope: Envelope) -> None:
        self.received.append(envelope)
        self.arrived.set()


@pytest.fixture
async def bus() -> AsyncIterator[InMemoryBus]:
    bus = InMemoryBus(BusOptions(prefetch=2, retry_delay_seconds=0.01, max_attempts=2))
    await bus.connect()
    try:
        yield bus
    finally:
        await bus.close()


async def test_event_nobody_listens_to_is_refused_as_unroutable(bus: InMemoryBus) -> None:
    stray = Envelope(
        type="billing.invoice.paid", version=1, producer="billing", correlation_id="c", data={}
    )
    with pytest.raises(UnroutableError, match=r"billing\.invoice\.paid"):
        await bus.publish(stray)


async def test_subscribed_consumer_receives_an_equal_copy_of_the_event(bus: InMemoryBus) -> None:
    inventory = Collector()
    await bus.subscribe("inventory", inventory)
    sent = patient_registered()
    await bus.publish(sent)
    await asyncio.wait_for(inventory.arrived.wait(), timeout=2)
    [received] = inventory.received
    assert received == sent
    assert received is not sent


async def test_event_is_kept_for_a_consumer_that_subscribes_later(bus: InMemoryBus) -> None:
    sent = patient_registered()
    await bus.publish(sent)
    inventory = Collector()
    await bus.subscribe("inventory", inventory)
    await asyncio.wait_for(inventory.arrived.wait(), timeout=2)
    assert inventory.received == [sent]


async def test_consumer_only_receives_events_it_is_bound_to(bus: InMemoryBus) -> None:
    inventory = Collector()
    await bus.subscribe("inventory", inventory)
    own = Envelope(
        type="inventory.stock.low", version=1, producer="inventory", correlation_id="c", data={}
    )
    await bus.publish(own)
    await bus.publish(patient_registered())
    await asyncio.wait_for(inventory.arrived.wait(), timeout=2)
    await asyncio.sleep(0.01)
    assert [e.type for e in inventory.received] == ["scheduling.patient.registered"]


async def test_event_a_consumer_cannot_handle_ends_in_its_dead_letters(bus: InMemoryBus) -> None:
    attempts = 0
    dead = asyncio.Event()

    async def failing(envelope: Envelope) -> None:
        nonlocal attempts
        attempts += 1
        if attempts >= 2:
            asyncio.get_running_loop().call_soon(dead.set)
        raise RuntimeError("handler broke")

    await bus.subscribe("inventory", failing)
    await bus.publish(patient_registered())
    await asyncio.wait_for(dead.wait(), timeout=2)
    await asyncio.sleep(0.01)
    assert attempts == 2
    assert await bus.dead_letter_count("inventory") == 1
    assert (bus.retried["inventory"], bus.dead_lettered["inventory"]) == (1, 1)  # on /metrics


async def test_health_reports_connected_consumers_until_closed() -> None:
    bus = InMemoryBus(BusOptions(prefetch=1))
    await bus.connect()
    await bus.subscribe("inventory", Collector())
    health = bus.health()
    assert health.ready
    assert health.consumers == {"inventory": True}
    await bus.close()
    assert not bus.health().connected
    assert not bus.health().ready
