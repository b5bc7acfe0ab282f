"""The outbox relay: publishes committed events until the broker confirms them.

Two ways in. The events a unit of work of this process commits are handed over to the relay
(`hand_over`), which publishes them at once from memory and then marks their rows published: no
read of the outbox on the way, so an event reaches its consumers a lease's round trip sooner
(issue 27 item 3 measured the lease and the wait behind the previous batch as most of a paced
booking's hop). Every row still pending `handoff_seconds` after its commit is read from the
table: what a process that died, or a broker that was away, left unpublished. Both sides of
that wait are the database's clock (the row's `created_at` is `clock_timestamp()`), so
replicas whose own clocks differ agree on it; and an event that has waited in memory half of
it is left to the table, so the two ways never take the same event in the normal course.

Several relays (replicas) may run on one database: each batch read from the table is leased
with `SELECT ... FOR UPDATE SKIP LOCKED`, so no row is published by two relays at once. A relay
that dies mid-batch rolls its lease back and the rows are published again: delivery is
at-least-once and consumers deduplicate by event id. A handed-over event can go out twice only
if its publish outlasts half of `handoff_seconds` (the settings ask for at least twice the
publish timeout), or if the process dies or loses the database between the broker's confirm
and the mark.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

import sqlalchemy as sa
from opentelemetry.trace import SpanKind, Tracer
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.contracts import Envelope
from clinic_shared.db import Database, utcnow
from clinic_shared.messaging.bus import MessageBus, UnroutableError
from clinic_shared.metrics import ServiceMetrics
from clinic_shared.tracing import event_span, restamped

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0
PRUNE_EVERY_SECONDS = 60.0
HANDED_OVER_LIMIT = 10_000
"""Events held in memory at most; past it (a broker away for long) the rest wait in the table."""


def backoff_seconds(attempts: int) -> float:
    """Delay before the next try of a row that failed `attempts` times."""
    return min(MAX_BACKOFF_SECONDS, 0.5 * 2.0 ** min(max(0, attempts - 1), 16))


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        outbox: sa.Table,
        bus: MessageBus,
        *,
        batch_size: int = 100,
        poll_seconds: float = 0.5,
        retention_seconds: float = 86_400,
        linger_seconds: float = 0.01,
        handoff_seconds: float = 0.0,
        metrics: ServiceMetrics | None = None,
        tracer: Tracer | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`handoff_seconds` 0: nothing is held in memory, every row is the table's at once
        (`hand_over` only wakes the relay). `monotonic` is the clock of the memory's waits and
        of the table's reads between hand-overs (tests move it)."""
        self._db = db
        self._metrics = metrics or ServiceMetrics()
        self._tracer = tracer
        self._outbox = outbox
        self._bus = bus
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._retention = timedelta(seconds=retention_seconds)
        self._linger = linger_seconds
        self._handoff = timedelta(seconds=handoff_seconds)
        self._handed_over: list[tuple[float, Envelope]] = []
        self._monotonic = monotonic
        self._table_read_at = -math.inf
        self._table_was_full = False
        self._wakeup = asyncio.Event()
        self._last_prune = 0.0
        # Built once: every batch runs both, and building them showed in the profile.
        when = outbox.c.next_attempt_at.type
        self._lease = (
            sa.select(outbox.c.id, outbox.c.body, outbox.c.attempts)
            .where(
                outbox.c.status == "pending",
                outbox.c.next_attempt_at <= sa.bindparam("now", type_=when),
                outbox.c.created_at
                <= sa.func.clock_timestamp() - sa.bindparam("handoff", type_=sa.Interval),
            )
            .order_by(outbox.c.created_at, outbox.c.position)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
        self._mark_published = (
            sa.update(outbox)
            .where(
                outbox.c.id.in_(sa.bindparam("ids", expanding=True)), outbox.c.status == "pending"
            )
            .values(
                status="published", published_at=sa.bindparam("at", type_=when), last_error=None
            )
        )

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (called after a commit)."""
        self._wakeup.set()

    def hand_over(self, envelopes: Sequence[Envelope]) -> None:
        """Events whose rows this process has just committed: publish them now, from memory.

        Called after the commit; a process that dies first leaves them to the table's lease.
        """
        if self._handoff:
            room = max(0, HANDED_OVER_LIMIT - len(self._handed_over))
            now = self._monotonic()
            self._handed_over.extend((now, e) for e in envelopes[:room])
        self.wake()

    async def publish_batch(self) -> int:
        """Publish what was handed over, and lease a batch of due rows from the table; record
        the outcome; return how many went out.

        While events keep being handed over, the table is read at most once per `poll_seconds`
        unless its last read filled a batch: often enough that a backlog (a broker outage's)
        drains as fast as before and is never starved by new commits, rarely enough that its
        lease stays off the way of most handed-over events.
        """
        sent = 0
        if self._handed_over:
            sent = await self._publish_handed_over()
            waited = self._monotonic() - self._table_read_at
            if not self._table_was_full and waited < self._poll_seconds:
                return sent
        self._table_read_at = self._monotonic()
        from_table = await self._publish_from_table()
        self._table_was_full = from_table >= self._batch_size
        return sent + from_table

    async def _publish_from_table(self) -> int:
        async with self._db.session() as session, session.begin():
            due = {"now": utcnow(), "handoff": self._handoff}
            rows = (await session.execute(self._lease, due)).all()
            if not rows:
                return 0
            outcomes = await self._publish_all([Envelope.model_validate_json(r.body) for r in rows])
            published = [r.id for r, o in zip(rows, outcomes, strict=True) if o is None]
            if published:
                await session.execute(self._mark_published, {"ids": published, "at": utcnow()})
            for row, outcome in zip(rows, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    await self._record_failure(session, row.id, row.attempts + 1, outcome)
        if self._handed_over:  # held past the hand-over time (a long outage): out now, once
            gone = set(published)
            self._handed_over = [(t, e) for t, e in self._handed_over if str(e.id) not in gone]
        return len(published)

    async def _publish_handed_over(self) -> int:
        """Publish up to a batch of handed-over events, then mark those the broker confirmed.

        No lease: these rows are younger than `handoff_seconds`, which the table's lease leaves
        alone. One that waited in memory half of that (a long outage, a deep queue) is left to
        the table rather than risk both; one that fails stays pending and is retried from the
        table once the hand-over time has passed.
        """
        taken = self._handed_over[: self._batch_size]
        del self._handed_over[: self._batch_size]
        fresh_since = self._monotonic() - self._handoff.total_seconds() / 2
        batch = [e for handed_at, e in taken if handed_at > fresh_since]
        outcomes = await self._publish_all(batch)
        published = [str(e.id) for e, o in zip(batch, outcomes, strict=True) if o is None]
        for envelope, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                log.warning(
                    "publish failed; the outbox keeps the event for the next try",
                    extra={"event_id": str(envelope.id), "error": repr(outcome)[:300]},
                )
        if published:
            async with self._db.session() as session, session.begin():
                await session.execute(self._mark_published, {"ids": published, "at": utcnow()})
        return len(published)

    async def _publish_all(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        """Publish `envelopes` together; each one's outcome (None: confirmed), counted."""
        outcomes = await asyncio.gather(*map(self._publish, envelopes), return_exceptions=True)
        failed = sum(isinstance(o, BaseException) for o in outcomes)
        self._metrics.outbox_published.inc(len(outcomes) - failed)
        self._metrics.outbox_failed.inc(failed)
        return outcomes

    async def _publish(self, envelope: Envelope) -> None:
        if self._tracer is None:
            return await self._bus.publish(envelope)
        # the request's trace goes on: the consumers continue this span, which the copy names
        with event_span(self._tracer, f"publish {envelope.type}", envelope, SpanKind.PRODUCER):
            await self._bus.publish(restamped(envelope))

    async def _record_failure(
        self, session: AsyncSession, row_id: str, attempts: int, exc: BaseException
    ) -> None:
        unroutable = isinstance(exc, UnroutableError)
        log.log(
            logging.ERROR if unroutable else logging.WARNING,
            "outbox event unroutable; kept for inspection" if unroutable else "publish failed",
            extra={"event_id": row_id, "attempts": attempts, "error": repr(exc)[:300]},
        )
        await session.execute(
            sa.update(self._outbox)
            .where(self._outbox.c.id == row_id)
            .values(
                status="unroutable" if unroutable else "pending",
                attempts=attempts,
                next_attempt_at=utcnow() + timedelta(seconds=backoff_seconds(attempts)),
                last_error=repr(exc)[:1000],
            )
        )

    async def prune(self) -> int:
        """Delete published rows older than the retention period."""
        cutoff = utcnow() - self._retention
        async with self._db.session() as session, session.begin():
            result = await session.execute(
                sa.delete(self._outbox).where(
                    self._outbox.c.status == "published", self._outbox.c.published_at < cutoff
                )
            )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def pending_count(self) -> int:
        count, _ = await self.pending()
        return count

    async def pending(self) -> tuple[int, float]:
        """How many rows wait to be published, and how long the oldest has waited (seconds);
        the two outbox gauges are set from them."""
        outbox = self._outbox
        async with self._db.session() as session:
            count, oldest = (
                await session.execute(
                    sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(
                        outbox.c.status == "pending"
                    )
                )
            ).one()
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        self._metrics.outbox_pending.set(count)
        self._metrics.outbox_oldest_seconds.set(age)
        return int(count), age

    async def run(self, stopping: asyncio.Event | None = None) -> None:
        """Publish until `stopping` is set (or cancelled); survive database and broker outages.

        A busy relay starts at most one batch per `linger_seconds`: the commits of that moment
        go out together (one lease, one update) instead of one batch each. A commit that comes
        longer after the last batch began, or after an empty one, is published at once.
        """
        loop = asyncio.get_running_loop()
        stopping = stopping or asyncio.Event()
        failures = 0
        while not stopping.is_set():
            self._wakeup.clear()  # before the batch: a commit during it wakes the next one
            began = loop.time()
            try:
                sent = await self.publish_batch()
                if loop.time() - self._last_prune > PRUNE_EVERY_SECONDS:
                    self._last_prune = loop.time()
                    await self.prune()
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                log.exception("outbox relay iteration failed", extra={"failures": failures})
                sent = 0
            else:
                failures = 0
            if sent >= self._batch_size or (self._handed_over and not failures):  # more waits
                continue
            pause = self._poll_seconds if not failures else backoff_seconds(failures)
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await self._wakeup.wait()
            if sent and (lingering := began + self._linger - loop.time()) > 0:
                await asyncio.sleep(lingering)
