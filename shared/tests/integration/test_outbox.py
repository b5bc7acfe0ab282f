"""The transactional outbox: nothing published for a rollback, nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinic_shared.contracts import Envelope
from clinic_shared.db import utcnow
from clinic_shared.messaging import UnroutableError
from clinic_shared.outbox import relay as relay_module
from clinic_testing.helpers import eventually

from .conftest import Clock, Harness, Received, notes, outbox, patient_event


async def test_rolled_back_change_publishes_nothing(harness: Harness) -> None:
    received = Received()
    await harness.bus.subscribe("inventory", received)
    with contextlib.suppress(RuntimeError):
        async with harness.uow() as uow:
            await uow.session.execute(sa.insert(notes).values(id="n1", text="lost"))
            uow.emit(patient_event("RolledBack"))
            raise RuntimeError("the use case failed after emitting")
    kept = await harness.commit_event("Kept")

    assert await harness.relay().publish_batch() == 1

    await eventually(lambda: _ids(received), until=lambda ids: kept.id in ids)
    assert [e.data["first_name"] for e in received.envelopes] == ["Kept"]
    async with harness.db.session() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(notes)) == 1


async def test_committed_event_is_marked_published_and_later_pruned(harness: Harness) -> None:
    await harness.commit_event()
    relay = harness.relay(retention_seconds=0)

    assert await relay.publish_batch() == 1
    assert [(r.status, r.attempts) for r in await harness.outbox_rows()] == [("published", 0)]

    pending = await harness.commit_event("Later")
    async with harness.db.session() as session, session.begin():  # due only in an hour
        await session.execute(
            sa.update(outbox)
            .where(outbox.c.id == str(pending.id))
            .values(next_attempt_at=utcnow() + timedelta(hours=1))
        )
    assert await relay.prune() == 1
    assert [r.id for r in await harness.outbox_rows()] == [str(pending.id)]


async def test_event_with_no_queue_bound_is_kept_as_unroutable(harness: Harness) -> None:
    stray = Envelope(
        type="billing.invoice.created", version=1, producer="t", correlation_id="c", data={}
    )
    with pytest.raises(UnroutableError):
        await harness.bus.publish(stray)
    async with harness.db.session() as session, session.begin():
        now = utcnow()
        await session.execute(
            sa.insert(outbox).values(
                id=str(stray.id),
                type=stray.type,
                body=stray.model_dump_json(),
                created_at=now,
                next_attempt_at=now,
                status="pending",
                attempts=0,
            )
        )

    assert await harness.relay().publish_batch() == 0
    assert [(r.status, r.attempts) for r in await harness.outbox_rows()] == [("unroutable", 1)]


async def test_two_relays_at_once_publish_each_event_exactly_once(harness: Harness) -> None:
    received = Received()
    await (await harness.another_bus()).subscribe("inventory", received)
    committed = [await harness.commit_event(f"P{i}") for i in range(200)]
    relays = [harness.relay(harness.bus), harness.relay(await harness.another_bus())]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    try:
        await eventually(lambda: _ids(received), until=lambda ids: len(ids) >= 200, timeout=30)
        await asyncio.sleep(0.5)  # time for any duplicate to arrive
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    assert sorted(map(str, received.ids)) == sorted(str(e.id) for e in committed)
    assert {r.status for r in await harness.outbox_rows()} == {"published"}


@pytest.mark.parametrize("bus_kind", ["rabbitmq"], indirect=True)
async def test_event_committed_while_broker_is_down_is_published_once_it_is_back(
    harness: Harness,
) -> None:
    async with harness.bus_behind_proxy() as (proxy, via_proxy):
        received = Received()
        await harness.bus.subscribe("inventory", received)
        await proxy.refuse()
        envelope = await harness.commit_event("WhileDown")
        relay = harness.relay(via_proxy)

        assert await relay.publish_batch() == 0
        [row] = await harness.outbox_rows()
        assert (row.status, row.attempts) == ("pending", 1)

        await proxy.start()
        await eventually(lambda: _connected(via_proxy), timeout=15)
        await eventually(relay.publish_batch, until=lambda sent: sent == 1, timeout=15)
        await eventually(lambda: _ids(received), until=lambda ids: envelope.id in ids)
        await asyncio.sleep(0.3)
        assert received.ids == [envelope.id]


async def _ids(received: Received) -> list:
    return received.ids


async def _sum(numbers: list[int]) -> int:
    return sum(numbers)


async def _connected(bus) -> bool:
    return bool(bus.health().connected)


async def test_a_busy_relay_gathers_the_commits_of_its_linger_and_an_idle_one_does_not_wait(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    received = Received()
    await harness.bus.subscribe("inventory", received)
    relay = harness.relay(linger_seconds=1.0)
    batches: list[int] = []
    publish_batch = relay.publish_batch

    async def recorded() -> int:
        sent = await publish_batch()
        batches.extend([sent] if sent else [])
        return sent

    monkeypatch.setattr(relay, "publish_batch", recorded)
    stopping = asyncio.Event()
    running = asyncio.create_task(relay.run(stopping))
    loop = asyncio.get_running_loop()
    try:
        await asyncio.sleep(0.1)  # the first, empty, batch: the relay is idle
        committed = loop.time()
        await harness.commit_event("First")
        relay.wake()
        await eventually(lambda: _ids(received), until=lambda ids: len(ids) == 1)
        assert loop.time() - committed < 0.8

        for name in ("Second", "Third"):  # within a second of the first batch: one batch
            await harness.commit_event(name)
            relay.wake()
        await eventually(lambda: _sum(batches), until=lambda sent: sent == 3)
        assert batches == [1, 2]
        assert len(received.envelopes) == 3
    finally:
        stopping.set()
        relay.wake()
        await running


async def _age(harness: Harness, envelope: Envelope, seconds: float) -> None:
    """Date a row's commit `seconds` ago (the relay's hand-over time passing)."""
    async with harness.db.session() as session, session.begin():
        await session.execute(
            sa.update(outbox)
            .where(outbox.c.id == str(envelope.id))
            .values(created_at=utcnow() - timedelta(seconds=seconds))
        )


async def test_a_committed_event_goes_out_from_memory_and_a_dead_process_s_from_the_table(
    harness: Harness,
) -> None:
    received = Received()
    await harness.bus.subscribe("inventory", received)
    relay = harness.relay(handoff_seconds=60)

    handed = await harness.commit_event("Handed", relay)
    assert await relay.publish_batch() == 1
    await eventually(lambda: _ids(received), until=lambda ids: handed.id in ids)
    assert [(r.status, r.attempts) for r in await harness.outbox_rows()] == [("published", 0)]

    # committed by a process that died before handing it over: left to that process a minute,
    # then taken from the table
    orphan = await harness.commit_event("Orphan")
    assert await relay.publish_batch() == 0
    await _age(harness, orphan, 61)
    assert await relay.publish_batch() == 1
    await eventually(lambda: _ids(received), until=lambda ids: orphan.id in ids)
    await asyncio.sleep(0.3)  # time for any duplicate to arrive
    assert received.ids == [handed.id, orphan.id]
    assert {r.status for r in await harness.outbox_rows()} == {"published"}


@pytest.mark.parametrize("bus_kind", ["rabbitmq"], indirect=True)
async def test_a_handed_over_event_the_broker_did_not_take_is_published_from_the_table(
    harness: Harness,
) -> None:
    async with harness.bus_behind_proxy() as (proxy, via_proxy):
        received = Received()
        await harness.bus.subscribe("inventory", received)
        relay = harness.relay(via_proxy, handoff_seconds=60)
        await proxy.refuse()
        envelope = await harness.commit_event("WhileDown", relay)

        assert await relay.publish_batch() == 0  # the broker is away: the row stays pending
        assert [(r.status, r.attempts) for r in await harness.outbox_rows()] == [("pending", 0)]
        await proxy.start()
        await eventually(lambda: _connected(via_proxy), timeout=15)
        await _age(harness, envelope, 61)
        await eventually(relay.publish_batch, until=lambda sent: sent == 1, timeout=15)
        await eventually(lambda: _ids(received), until=lambda ids: envelope.id in ids)
        await asyncio.sleep(0.3)
        assert received.ids == [envelope.id]


async def test_events_past_what_the_relay_holds_in_memory_wait_in_the_table(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relay_module, "HANDED_OVER_LIMIT", 2)
    received = Received()
    await harness.bus.subscribe("inventory", received)
    relay = harness.relay(handoff_seconds=60)
    committed = [await harness.commit_event(f"P{i}", relay) for i in range(3)]

    assert await relay.publish_batch() == 2
    assert await relay.publish_batch() == 0  # the third is younger than the hand-over time
    await _age(harness, committed[2], 61)
    assert await relay.publish_batch() == 1
    await eventually(lambda: _ids(received), until=lambda ids: len(ids) == 3)
    assert sorted(map(str, received.ids)) == sorted(str(e.id) for e in committed)


async def test_a_backlog_in_the_table_is_not_starved_by_events_handed_over_all_the_time(
    harness: Harness,
) -> None:
    received = Received()
    await harness.bus.subscribe("inventory", received)
    clock = Clock()
    relay = harness.relay(handoff_seconds=60, poll_seconds=1, monotonic=clock)
    await harness.commit_event("First", relay)
    assert await relay.publish_batch() == 1  # the table was read too: nothing there
    backlog = await harness.commit_event("LeftByAnOutage")
    await _age(harness, backlog, 61)

    # commits keep coming: within the poll the table waits, after it the backlog goes out
    await harness.commit_event("Steady", relay)
    assert await relay.publish_batch() == 1
    clock.now += 1
    await harness.commit_event("Steady", relay)
    assert await relay.publish_batch() == 2
    await eventually(lambda: _ids(received), until=lambda ids: backlog.id in ids)


async def test_an_event_held_in_memory_half_the_hand_over_time_is_left_to_the_table(
    harness: Harness,
) -> None:
    received = Received()
    await harness.bus.subscribe("inventory", received)
    clock = Clock()
    relay = harness.relay(handoff_seconds=60, monotonic=clock)
    held = await harness.commit_event("Held", relay)
    clock.now += 30  # a long outage: another replica's lease may take it from now on

    assert await relay.publish_batch() == 0
    await _age(harness, held, 61)
    assert await relay.publish_batch() == 1
    await eventually(lambda: _ids(received), until=lambda ids: held.id in ids)
    await asyncio.sleep(0.3)
    assert received.ids == [held.id]


async def test_a_relay_with_no_hand_over_time_holds_nothing_and_reads_the_table(
    harness: Harness,
) -> None:
    received = Received()
    await harness.bus.subscribe("inventory", received)
    relay = harness.relay()  # handoff 0, as a relay no process hands events to
    committed = await harness.commit_event("AtOnce", relay)

    assert await relay.publish_batch() == 1
    await eventually(lambda: _ids(received), until=lambda ids: committed.id in ids)


async def test_events_left_in_memory_after_a_batch_go_out_without_waiting_for_a_poll(
    harness: Harness,
) -> None:
    received = Received()
    await harness.bus.subscribe("inventory", received)
    clock = Clock()
    relay = harness.relay(handoff_seconds=60, poll_seconds=3600, batch_size=2, monotonic=clock)
    for name in ("Stale1", "Stale2"):
        await harness.commit_event(name, relay)
    clock.now += 30  # those two are the table's now; a batch of them publishes nothing
    fresh = [await harness.commit_event(f"Fresh{i}", relay) for i in range(3)]
    stopping = asyncio.Event()
    running = asyncio.create_task(relay.run(stopping))
    try:
        ids = {e.id for e in fresh}
        await eventually(lambda: _ids(received), until=lambda seen: ids <= set(seen))
    finally:
        stopping.set()
        relay.wake()
        await running
