"""SQL of the SMS webhooks: which of the provider's replies, and which signed requests, are new."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.outbox import Repository
from notifications.adapters.orm import inbox

INBOUND_CONSUMER = "sms-inbound"
SIGNATURE_CONSUMER = "sms-signature"


class ReplyRepository(Repository):
    async def first_delivery(self, sid: str, *, now: datetime) -> bool:
        """Whether this SMS id is new (the provider retries webhooks it thinks failed): its
        first delivery claims it in the inbox, as a consumed event would be."""
        return await self._claim(INBOUND_CONSUMER, sid, "sms", now=now)

    async def signature_used_by(self, signature: str, sid: str, *, now: datetime) -> str:
        """The message id the signed request was first received for: `sid` when this is its
        first time, or a redelivery of the same message.

        The signature is claimed in the inbox (its primary key refuses a second claim, so two
        concurrent replays are told apart once the first commits; rows go after the inbox's
        retention, like the replies' ids). The inbox's `event_type` keeps the message id.
        """
        if await self._claim(SIGNATURE_CONSUMER, signature, sid, now=now):
            return sid
        first = await self._session.scalar(
            sa.select(inbox.c.event_type).where(
                inbox.c.consumer == SIGNATURE_CONSUMER, inbox.c.event_id == signature
            )
        )
        return str(first)

    async def _claim(self, consumer: str, key: str, kind: str, *, now: datetime) -> bool:
        statement = (
            pg_insert(inbox)
            .values(consumer=consumer, event_id=key[:36], event_type=kind, received_at=now)
            .on_conflict_do_nothing()
        )
        return bool((await self._session.execute(statement)).rowcount == 1)  # type: ignore[attr-defined]
