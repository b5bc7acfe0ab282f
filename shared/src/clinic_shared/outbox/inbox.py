"""Consumers that apply each event once: the inbox row and the handler share one transaction."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.context import message_context
from clinic_shared.contracts import Envelope, Event, parse_event
from clinic_shared.db import Database, insert_once, utcnow
from clinic_shared.outbox.uow import UnitOfWork

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


class InboxConsumer:
    """The bus handler of one consumer: dispatches by event type, each event id applied once."""

    def __init__(
        self,
        name: str,
        uow_factory: Callable[[], UnitOfWork],
        inbox: sa.Table,
        handlers: Mapping[str, EventHandler],
    ) -> None:
        self.name = name
        self._uow_factory = uow_factory
        self._inbox = inbox
        self._handlers = dict(handlers)

    async def __call__(self, envelope: Envelope) -> None:
        handler = self._handlers.get(envelope.type)
        if handler is None:
            return  # bound by a wider pattern, but nothing here acts on it
        event: Event = parse_event(envelope)
        with message_context(envelope.correlation_id, str(envelope.id)):
            async with self._uow_factory() as uow:
                uow.handling = envelope
                if not await claim(uow.session, self._inbox, self.name, envelope):
                    log.info("duplicate event ignored", extra=_fields(self.name, envelope))
                    return
                await handler(event, uow)
                await uow.commit()
            log.info("event handled", extra=_fields(self.name, envelope))


def _fields(consumer: str, envelope: Envelope) -> dict[str, str]:
    return {"consumer": consumer, "event_id": str(envelope.id), "event_type": envelope.type}
