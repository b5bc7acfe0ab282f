"""SQL of the SMS webhook: which of the provider's replies are new."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.outbox import Repository
from notifications.adapters.orm import inbox

INBOUND_CONSUMER = "sms-inbound"


class ReplyRepository(Repository):
    async def first_delivery(self, sid: str, *, now: datetime) -> bool:
        """Whether this SMS id is new (the provider retries webhooks it thinks failed): its
        first delivery claims it in the inbox, as a consumed event would be."""
        statement = (
            pg_insert(inbox)
            .values(consumer=INBOUND_CONSUMER, event_id=sid[:36], event_type="sms", received_at=now)
            .on_conflict_do_nothing()
        )
        return bool((await self._session.execute(statement)).rowcount == 1)  # type: ignore[attr-defined]
