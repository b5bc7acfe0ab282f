"""Events delivered together are applied in one transaction, and apart when one of them fails."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence

import pytest
import sqlalchemy as sa

from clinic_shared.context import causation_id_var, correlation_id_var
from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import PatientRegistered
from clinic_shared.errors import PermanentMessageError
from clinic_shared.outbox import InboxConsumer, UnitOfWork
from clinic_testing.helpers import eventually

from .conftest import Harness, inbox, notes, outbox, patient_event


class Counting:
    """A unit-of-work factory that counts the commits of the units it made."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.commits = 0

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.harness.db, outbox, producer="inventory", on_commit=self._committed)

    def _committed(self, _events: Sequence[Envelope]) -> None:
        self.commits += 1


def _envelope(name: str, correlation_id: str = "corr-1") -> Envelope:
    return Envelope.wrap(patient_event(name), producer="scheduling", correlation_id=correlation_id)


def _consumer(uows: Counting, seen: list[str] | None = None) -> InboxConsumer:
    """Writes a note and emits an event for each patient; fails on the one named Poison."""

    async def write_note(event: PatientRegistered, uow: UnitOfWork) -> None:
        if seen is not None:
            seen.append(event.first_name)
        await uow.session.execute(
            sa.insert(notes).values(id=str(uuid.uuid4()), text=event.first_name)
        )
        if event.first_name == "Poison":
            raise PermanentMessageError("this patient can never be handled")
        uow.emit(patient_event(event.first_name + " again"))

    return InboxConsumer("inventory", uows, inbox, {PatientRegistered.TYPE: write_note})


async def _notes(harness: Harness) -> list[str]:
    async with harness.db.session() as session:
        return sorted((await session.scalars(sa.select(notes.c.text))).all())


async def test_events_delivered_together_commit_together_each_with_its_own_context(
    harness: Harness,
) -> None:
    uows = Counting(harness)
    consumer = _consumer(uows)
    delivered = [_envelope(f"P{i}", correlation_id=f"corr-{i}") for i in range(5)]

    await asyncio.gather(*(consumer(e) for e in delivered))

    assert uows.commits == 1
    assert await _notes(harness) == [f"P{i}" for i in range(5)]
    async with harness.db.session() as session:
        bodies = (await session.scalars(sa.select(outbox.c.body))).all()
    emitted = {e.causation_id: e for e in map(Envelope.model_validate_json, bodies)}
    assert set(emitted) == {str(e.id) for e in delivered}
    for consumed in delivered:
        assert emitted[str(consumed.id)].correlation_id == consumed.correlation_id


async def test_a_poison_event_in_a_batch_fails_alone_and_the_others_apply_once(
    harness: Harness,
) -> None:
    uows = Counting(harness)
    seen: list[str] = []
    consumer = _consumer(uows, seen)
    names = ["A", "B", "Poison", "C", "D"]

    outcomes = await asyncio.gather(
        *(consumer(_envelope(name)) for name in names), return_exceptions=True
    )

    assert [type(o).__name__ for o in outcomes] == [
        "NoneType", "NoneType", "PermanentMessageError", "NoneType", "NoneType"
    ]  # fmt: skip
    assert seen[:3] == ["A", "B", "Poison"]  # the batch, up to the failure, rolled back
    assert sorted(seen[3:]) == sorted(names)  # then each event alone
    assert await _notes(harness) == ["A", "B", "C", "D"]
    assert uows.commits == 4
    async with harness.db.session() as session:
        claimed = await session.scalar(sa.select(sa.func.count()).select_from(inbox))
    assert claimed == 4


async def test_copies_of_one_event_in_a_batch_apply_once(harness: Harness) -> None:
    uows = Counting(harness)
    consumer = _consumer(uows)
    twice = _envelope("Twice")
    await consumer(first := _envelope("Before"))  # already applied: a redelivery of it is late
    copies = [twice, first, twice, _envelope("Z")]

    await asyncio.gather(*(consumer(e) for e in copies))

    assert await _notes(harness) == ["Before", "Twice", "Z"]
    assert uows.commits == 2


async def test_work_after_a_batch_commit_runs_in_its_event_context(harness: Harness) -> None:
    ran: list[tuple[str | None, str | None]] = []

    async def later(event: PatientRegistered, uow: UnitOfWork) -> None:
        async def record() -> None:
            ran.append((correlation_id_var.get(), causation_id_var.get()))

        uow.after_commit(record)

    consumer = InboxConsumer("inventory", harness.uow, inbox, {PatientRegistered.TYPE: later})
    delivered = [_envelope(f"P{i}", correlation_id=f"corr-{i}") for i in range(3)]

    await asyncio.gather(*(consumer(e) for e in delivered))

    assert ran == [(e.correlation_id, str(e.id)) for e in delivered]


async def test_poison_in_a_burst_through_the_bus_is_dead_lettered_alone(harness: Harness) -> None:
    uows = Counting(harness)
    await harness.bus.subscribe("inventory", _consumer(uows))
    names = [f"Good{i}" for i in range(6)] + ["Poison"] + [f"Late{i}" for i in range(6)]

    for name in names:
        await harness.bus.publish(_envelope(name))

    good = sorted(n for n in names if n != "Poison")
    await eventually(lambda: _notes(harness), until=lambda found: found == good, timeout=15)
    await eventually(lambda: harness.bus.dead_letter_count("inventory"), until=lambda n: n == 1)
    await asyncio.sleep(0.3)
    assert await _notes(harness) == good


SLOW_CLAIMS = """CREATE FUNCTION slow_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(0.005); RETURN NEW; END $$"""


@pytest.mark.parametrize("bus_kind", ["rabbitmq"], indirect=True)
async def test_two_replicas_given_one_burst_in_opposite_orders_apply_each_event_once(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Two replicas of a consumer each get the same events, in opposite orders, at once. Their
    batches claim the events in one order (event id), so one waits for the other rather than
    the two deadlocking; each event is applied once, by one of them, and neither batch falls
    back to one event at a time."""
    async with harness.db.engine.begin() as conn:  # widen the race: each claimed row takes 5 ms
        await conn.execute(sa.text(SLOW_CLAIMS))
        await conn.execute(
            sa.text(
                "CREATE TRIGGER slow_claim BEFORE INSERT ON inbox"
                " FOR EACH ROW EXECUTE FUNCTION slow_claim()"
            )
        )
    uows = [Counting(harness), Counting(harness)]
    seen: list[str] = []
    replicas = [_consumer(uows[0], seen), _consumer(uows[1], seen)]
    caplog.set_level(logging.INFO, logger="clinic_shared.outbox.inbox")
    names: list[str] = []
    for burst in range(5):
        delivered = [_envelope(f"B{burst}-{i:02}") for i in range(12)]
        names += [f"B{burst}-{i:02}" for i in range(12)]
        await asyncio.gather(
            *(replicas[0](e) for e in delivered),
            *(replicas[1](e) for e in reversed(delivered)),
        )

    assert await _notes(harness) == sorted(names)  # each once
    assert sorted(seen) == sorted(names)  # no handler ran for a copy the other replica applied
    assert uows[0].commits + uows[1].commits == 5  # a batch per burst emitted; none one by one
    assert not [r for r in caplog.records if "rolled back" in r.getMessage()]
