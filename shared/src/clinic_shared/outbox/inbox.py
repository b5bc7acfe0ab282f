"""Consumers that apply each event once: the inbox row and the handler share one transaction."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from opentelemetry.trace import SpanKind, Tracer
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.context import message_context
from clinic_shared.contracts import Envelope, Event, parse_event
from clinic_shared.db import Database, insert_once, utcnow
from clinic_shared.direct import Direct
from clinic_shared.metrics import ServiceMetrics
from clinic_shared.outbox.uow import UnitOfWork
from clinic_shared.tracing import event_span, in_trace_of, trace_id_of

log = logging.getLogger(__name__)

EventHandler = Callable[[Any, UnitOfWork], Awaitable[None]]


async def claim(session: AsyncSession, inbox: sa.Table, consumer: str, envelope: Envelope) -> bool:
    """Record that `consumer` handles this event; False when it already did."""
    values = {
        "consumer": consumer,
        "event_id": str(envelope.id),
        "event_type": envelope.type,
        "received_at": utcnow(),
    }
    return await insert_once(session, inbox, values)


async def claim_all(
    session: AsyncSession, inbox: sa.Table, consumer: str, envelopes: Sequence[Envelope]
) -> set[str]:
    """Record in one statement that `consumer` handles these events; the ids it had not yet.

    Rows go in event id order, so two replicas claiming overlapping batches lock them in the
    same order and wait for each other rather than deadlock.
    """
    types = {str(e.id): e.type for e in envelopes}  # a copy delivered twice, claimed once
    params = {
        "consumer": consumer,
        "received_at": utcnow(),
        "event_ids": list(types),
        "event_types": list(types.values()),
    }
    return {row.event_id for row in await _claim_direct(inbox).rows(session, params)}


@functools.cache
def _claim_direct(inbox: sa.Table) -> Direct:
    """The claim: the batch's ids as two arrays, one statement sent as it is (a consumed
    event's hottest statement: SQLAlchemy's many-rows INSERT cost more CPU than the claim)."""
    statement = sa.text(
        f"INSERT INTO {inbox.name} (consumer, event_id, event_type, received_at) "  # noqa: S608
        "SELECT :consumer, e.event_id, e.event_type, :received_at "
        "FROM unnest(CAST(:event_ids AS text[]), CAST(:event_types AS text[])) "
        "AS e(event_id, event_type) ORDER BY e.event_id "
        "ON CONFLICT DO NOTHING RETURNING event_id"
    ).bindparams(sa.bindparam("received_at", type_=inbox.c.received_at.type))
    return Direct(statement)


async def prune_inbox(db: Database, inbox: sa.Table, retention: timedelta) -> int:
    """Delete the record of events received longer than `retention` ago; return how many.

    Safe with several replicas at once: each DELETE removes what is still there. The retention
    must outlast any redelivery (retries, a dead letter moved back), or a late copy would apply
    twice.
    """
    cutoff = utcnow() - retention
    async with db.session() as session, session.begin():
        result = await session.execute(sa.delete(inbox).where(inbox.c.received_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass
class _Delivery:
    envelope: Envelope
    event: Event
    handler: EventHandler
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class InboxConsumer:
    """The bus handler of one consumer: dispatches by event type, each event id applied once.

    Events delivered together (the bus hands over up to its prefetch at once) are applied in one
    transaction: each claims its inbox row and runs its handler in turn, in delivery order, and
    one commit holds them all. While a batch is applied the next deliveries wait and form the
    next batch, so under load a commit covers many events and when idle an event waits for none.
    If any event of a batch fails (or the commit does), the batch is rolled back and its events
    are applied one by one, each in its own transaction, so only the failing one is retried or
    dead-lettered. The bus acknowledges each event once its call returns, after the commit.
    """

    def __init__(
        self,
        name: str,
        uow_factory: Callable[[], UnitOfWork],
        inbox: sa.Table,
        handlers: Mapping[str, EventHandler],
        metrics: ServiceMetrics | None = None,
        tracer: Tracer | None = None,
    ) -> None:
        self.name = name
        self._metrics = metrics or ServiceMetrics()
        self._tracer = tracer
        self._uow_factory = uow_factory
        self._inbox = inbox
        self._handlers = dict(handlers)
        self._waiting: list[_Delivery] = []
        self._applying = asyncio.Lock()

    async def __call__(self, envelope: Envelope) -> None:
        handler = self._handlers.get(envelope.type)
        if handler is None:
            return  # bound by a wider pattern, but nothing here acts on it
        self._metrics.deliveries.labels(self.name).inc()
        delivery = _Delivery(envelope, parse_event(envelope), handler)
        self._waiting.append(delivery)
        try:
            await asyncio.sleep(0)  # the other deliveries of the same read join this batch
            async with self._applying:
                if not delivery.done.done():  # not applied by the batch that just finished
                    batch, self._waiting = self._waiting, []
                    await self._apply(batch)
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):
                self._waiting.remove(delivery)  # unacked: the broker delivers it again
            raise
        await delivery.done

    async def _apply(self, batch: list[_Delivery]) -> None:
        try:
            if len(batch) > 1 and await self._apply_together(batch):
                return
            for delivery in batch:
                try:
                    await self._apply_one(delivery)
                except Exception as exc:
                    self._metrics.failures.labels(self.name, delivery.envelope.type).inc()
                    delivery.done.set_exception(exc)
                else:
                    delivery.done.set_result(None)
        except BaseException:  # cancelled: the deliveries not applied yet stop waiting too
            for delivery in batch:
                if not delivery.done.done():
                    delivery.done.cancel()
            raise

    async def _apply_together(self, batch: Sequence[_Delivery]) -> bool:
        """Apply the batch in one transaction; False (and nothing applied) if any part failed."""
        applied: list[Envelope] = []
        try:
            async with self._uow_factory() as uow:
                envelopes = [d.envelope for d in batch]
                claimed = await claim_all(uow.session, self._inbox, self.name, envelopes)
                for delivery in batch:
                    event_id = str(delivery.envelope.id)
                    if event_id in claimed:
                        claimed.discard(event_id)  # a second copy in the batch is a duplicate
                        await self._run(uow, delivery)
                        applied.append(delivery.envelope)
                    else:
                        self._log_duplicate(delivery.envelope)
                uow.handling = None
                await uow.commit()
        except Exception as exc:
            log.info(
                "batch rolled back; applying its events one by one",
                extra={"consumer": self.name, "events": len(batch), "error": repr(exc)[:300]},
            )
            return False
        for delivery in batch:
            delivery.done.set_result(None)
        self._log_handled(applied, len(batch))
        return True

    async def _apply_one(self, delivery: _Delivery) -> None:
        envelope = delivery.envelope
        async with self._uow_factory() as uow:
            if not await claim(uow.session, self._inbox, self.name, envelope):
                self._log_duplicate(envelope)
                return
            await self._run(uow, delivery)
            await uow.commit()
        self._log_handled([envelope], 1)

    async def _run(self, uow: UnitOfWork, delivery: _Delivery) -> None:
        """Run the event's handler in `uow`, in the event's correlation and causation context."""
        envelope = delivery.envelope
        with (
            message_context(envelope.correlation_id, str(envelope.id)),
            self._metrics.handler_seconds.labels(self.name, envelope.type).time(),
            contextlib.ExitStack() as tracing,
        ):
            if self._tracer is not None:  # the events the handler emits continue this span
                name = f"{self.name} process {envelope.type}"
                tracing.enter_context(event_span(self._tracer, name, envelope, SpanKind.CONSUMER))
            uow.handling = envelope
            await delivery.handler(delivery.event, uow)

    def _log_duplicate(self, envelope: Envelope) -> None:
        self._metrics.duplicates.labels(self.name).inc()
        with message_context(envelope.correlation_id, str(envelope.id)), in_trace_of(envelope):
            log.info("duplicate event ignored", extra=_fields(self.name, envelope))

    def _log_handled(self, applied: Sequence[Envelope], delivered: int) -> None:
        """One line per commit, carrying the ids of the events it applied (to trace them by)."""
        self._metrics.batches.labels(self.name).inc()
        for envelope in applied:
            self._metrics.applied.labels(self.name, envelope.type).inc()
        if len(applied) == 1:
            [envelope] = applied
            with message_context(envelope.correlation_id, str(envelope.id)), in_trace_of(envelope):
                log.info("event handled", extra=_fields(self.name, envelope))
        elif applied:
            log.info(
                "events handled",
                extra={
                    "consumer": self.name,
                    "events": len(applied),
                    "delivered": delivered,
                    "event_ids": " ".join(str(e.id) for e in applied),
                    "event_types": " ".join(sorted({e.type for e in applied})),
                    "correlation_ids": " ".join(sorted({e.correlation_id for e in applied})),
                    "trace_ids": " ".join(sorted({t for e in applied if (t := trace_id_of(e))})),
                },
            )


def _fields(consumer: str, envelope: Envelope) -> dict[str, str]:
    return {"consumer": consumer, "event_id": str(envelope.id), "event_type": envelope.type}
