"""Model-based: whatever commits, crashes, broker outages and restarts come in whatever order,
the outbox relay publishes every committed event, none twice, and nothing rolled back.

A Hypothesis state machine drives units of work and two replicas' relays on PostgreSQL with a
broker that can be down. Events are handed over to replica A's relay after their commit (as the
runtime does), or not (the process died first), or their commit fails; replica B only reads the
table; A can restart (its memory lost); the relays' clock moves by less than a poll or past the
hand-over time and every retry's backoff. After every step, what the broker took is checked
against what was committed; at the end, with the broker up and time passed, everything is out.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from clinic_shared.contracts import Envelope
from clinic_shared.db import Database, utcnow
from clinic_shared.outbox import OutboxRelay, UnitOfWork
from clinic_testing.models import run_state_machine
from clinic_testing.postgres import PostgresDatabases

from .conftest import Clock, metadata, notes, outbox, patient_event

HANDOFF = 60.0  # s; the rule `time_passes` moves every row past it
POLL = 1.0  # s; the relays read the table between hand-overs at most this often


class Broker:
    """Takes what is published while up, refuses while down (as a broker that went away)."""

    def __init__(self) -> None:
        self.up = True
        self.taken: Counter[uuid.UUID] = Counter()

    async def publish(self, envelope: Envelope) -> None:
        if not self.up:
            raise ConnectionError("the broker is down")
        self.taken[envelope.id] += 1


class CommitFailed(Exception):
    """The database lost the transaction at COMMIT, after the outbox rows were written."""


class RelayRules(RuleBasedStateMachine):
    db: ClassVar[Database]
    loop: ClassVar[asyncio.Runner]

    def __init__(self) -> None:
        super().__init__()
        self.loop.run(self._empty())
        self.broker = Broker()
        self.clock = Clock()
        self.relay = self._relay()
        self.replica = self._relay()  # another process on the same database, handed nothing
        self.committed: set[uuid.UUID] = set()
        self.rolled_back: set[uuid.UUID] = set()

    def _relay(self) -> OutboxRelay:
        return OutboxRelay(
            self.db, outbox, self.broker,  # type: ignore[arg-type]
            batch_size=5, poll_seconds=POLL, handoff_seconds=HANDOFF, monotonic=self.clock,
        )  # fmt: skip

    async def _empty(self) -> None:
        async with self.db.session() as session, session.begin():
            await session.execute(sa.delete(outbox))
            await session.execute(sa.delete(notes))

    async def _commit(self, events: int, handed_over: bool, ends: str) -> list[uuid.UUID]:
        on_commit = self.relay.hand_over if handed_over else None
        async with UnitOfWork(self.db, outbox, producer="t", on_commit=on_commit) as uow:
            await uow.session.execute(sa.insert(notes).values(id=str(uuid.uuid4()), text="n"))
            ids = [uow.emit(patient_event(f"E{n}")).id for n in range(events)]
            if ends == "commit-fails":
                session = uow.session

                async def lost() -> None:
                    await session.rollback()
                    raise CommitFailed

                session.commit = lost  # type: ignore[method-assign]
            if ends != "rollback":
                with contextlib.suppress(CommitFailed):
                    await uow.commit()
        return ids

    @rule(
        events=st.integers(min_value=1, max_value=7),
        handed_over=st.booleans(),
        ends=st.sampled_from(["commit", "commit", "commit", "rollback", "commit-fails"]),
    )
    def commit(self, events: int, handed_over: bool, ends: str) -> None:
        """A use case commits (handed over, or its process dies first), rolls back, or loses
        its transaction at the commit."""
        ids = self.loop.run(self._commit(events, handed_over, ends))
        (self.committed if ends == "commit" else self.rolled_back).update(ids)

    @rule()
    def publish(self) -> None:
        self.loop.run(self.relay.publish_batch())

    @rule()
    def replica_publishes(self) -> None:
        self.loop.run(self.replica.publish_batch())

    @rule()
    def a_moment_passes(self) -> None:
        """Less than the hand-over time: a poll, not the table's lease."""
        self.clock.now += POLL

    @rule(up=st.booleans())
    def broker_goes(self, up: bool) -> None:
        self.broker.up = up

    @rule()
    def relay_restarts(self) -> None:
        """What it held in memory is lost; the table keeps it."""
        self.relay = self._relay()

    @rule()
    def time_passes(self) -> None:
        """Every row, and every event in memory, is now past the hand-over time and any retry's
        backoff."""
        self.clock.now += HANDOFF + 1
        self.loop.run(self._age())

    async def _age(self) -> None:
        past = utcnow() - timedelta(seconds=HANDOFF + 1)
        async with self.db.session() as session, session.begin():
            await session.execute(sa.update(outbox).values(created_at=past, next_attempt_at=past))

    @invariant()
    def nothing_rolled_back_and_nothing_twice(self) -> None:
        taken = self.broker.taken
        assert not set(taken) & self.rolled_back
        assert set(taken) <= self.committed
        assert [i for i, n in taken.items() if n > 1] == []

    def teardown(self) -> None:
        """The broker back and time passed: a few batches publish everything committed."""
        self.broker.up = True
        self.time_passes()
        for _ in range(len(self.committed) // 5 + 2):
            self.publish()
            self.replica_publishes()
        assert set(self.broker.taken) == self.committed
        self.nothing_rolled_back_and_nothing_twice()
        statuses = self.loop.run(self._statuses())
        assert statuses <= {"published"}

    async def _statuses(self) -> set[Any]:
        async with self.db.session() as session:
            return set((await session.scalars(sa.select(outbox.c.status))).all())


@pytest.mark.timeout(600)
def test_the_relay_publishes_each_committed_event_once_whatever_happens(
    postgres_databases: PostgresDatabases,
) -> None:
    with asyncio.Runner() as loop:
        url = loop.run(postgres_databases.fresh("shared", metadata=metadata))
        RelayRules.db = Database(url)
        RelayRules.loop = loop
        try:
            run_state_machine(RelayRules, examples=100, steps=25)
        finally:
            loop.run(RelayRules.db.dispose())
