"""The unit of work: one database transaction that holds the state change and its outbox rows."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.context import (
    causation_id_var,
    correlation_id_var,
    current_correlation_id,
    message_context,
)
from clinic_shared.contracts import Envelope, Event
from clinic_shared.db import Database, utcnow
from clinic_shared.direct import Direct
from clinic_shared.tracing import current_traceparent

if TYPE_CHECKING:
    from clinic_shared.metrics import ServiceMetrics

log = logging.getLogger(__name__)


class UnitOfWork:
    """`async with uow: ...; uow.emit(event); await uow.commit()`; no commit means rollback.

    Events emitted are written to the outbox in the same transaction, so a rolled-back change
    publishes nothing and a committed one is published by the relay even if the broker is down now.
    `on_commit` gets the events of each commit (the runtime's relay hands them to the broker at
    once: `OutboxRelay.hand_over`).
    """

    def __init__(
        self,
        db: Database,
        outbox: sa.Table,
        *,
        producer: str,
        on_commit: Callable[[Sequence[Envelope]], None] | None = None,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._db = db
        self._outbox = outbox
        self.producer = producer
        self._on_commit = on_commit
        self._metrics = metrics
        self._envelopes: list[Envelope] = []
        self._after_commit: list[Callable[[], Awaitable[None]]] = []
        self._session: AsyncSession | None = None
        self.handling: Envelope | None = None  # the consumed event this unit applies, if any
        self.applying_as_of: datetime | None = None
        """The owner's version of facts a reconciliation applies (see `occurred_at`)."""

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None, "use the unit of work inside `async with`"
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._db.session()
        self._envelopes = []
        self._after_commit = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()
            self._session = None

    @property
    def occurred_at(self) -> datetime:
        """When the consumed event being applied happened; the version of the owner's facts a
        reconciliation applies, so the same newest-first guards judge both; else now."""
        if self.handling is not None:
            return self.handling.occurred_at
        return self.applying_as_of or utcnow()

    def emit(self, event: Event) -> Envelope:
        """Queue an event to be written to the outbox when this unit commits."""
        envelope = Envelope.wrap(
            event,
            producer=self.producer,
            correlation_id=current_correlation_id(),
            causation_id=causation_id_var.get(),
            traceparent=current_traceparent(),
        )
        self._envelopes.append(envelope)
        return envelope

    def sibling(self) -> UnitOfWork:
        """A new unit of work on the same database and outbox, for a later transaction."""
        return UnitOfWork(
            self._db, self._outbox, producer=self.producer, on_commit=self._on_commit,
            metrics=self._metrics,
        )  # fmt: skip

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action` once this unit has committed (never if it rolls back).

        For work that must see what other transactions committed meanwhile; a failure is
        logged, since the committed change stands. It runs with the correlation and causation
        ids in force now: a consumer's batch commits several events' changes at once.
        """
        correlation, causation = correlation_id_var.get(), causation_id_var.get()

        async def in_context() -> None:
            with message_context(correlation, causation):
                await action()

        self._after_commit.append(in_context)

    async def commit(self) -> None:
        if self._envelopes:
            now = utcnow()
            rows = [
                {
                    "id": str(e.id),
                    "type": e.type,
                    "body": e.model_dump_json(),
                    "position": position,
                    "next_attempt_at": now,
                    "status": "pending",
                    "attempts": 0,
                }
                for position, e in enumerate(self._envelopes)
            ]
            await _insert(self._outbox, tuple(rows[0])).run_many(self.session, rows)
        await self.session.commit()
        emitted, self._envelopes = self._envelopes, []
        if emitted and self._metrics is not None:
            for envelope in emitted:  # the domain's counters: what each use case committed
                self._metrics.events_emitted.labels(envelope.type).inc()
        if emitted and self._on_commit is not None:
            self._on_commit(emitted)
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            try:
                await action()
            except Exception:
                log.exception("work after commit failed")


@functools.cache
def _insert(outbox: sa.Table, columns: tuple[str, ...]) -> Direct:
    """The outbox row's INSERT of `columns`, built once per table: every unit of work that
    emits runs it. `created_at` is the database's clock, which the relay's lease compares
    with its hand-over time on the same clock (see `OutboxRelay`)."""
    values: dict[str, Any] = {
        name: sa.bindparam(name, type_=outbox.c[name].type) for name in columns
    }
    values["created_at"] = sa.func.clock_timestamp()
    return Direct(sa.insert(outbox).values(values))
