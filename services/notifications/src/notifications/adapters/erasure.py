"""SQL for erasing a patient: the contact tombstone, their consent ledger, their unsent messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.outbox import Repository
from notifications.adapters.orm import consent_ledger, contacts, messages

# A tombstone needs the contact's required columns even when no contact was ever projected.
_TOMBSTONE_DEFAULTS = {"language": "en", "preferred_channel": "sms"}


class ErasureRepository(Repository):
    async def tombstone(self, patient_id: uuid.UUID, values: dict[str, Any]) -> None:
        statement = pg_insert(contacts).values(
            patient_id=patient_id, **_TOMBSTONE_DEFAULTS, **values
        )
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=[contacts.c.patient_id], set_=values)
        )

    async def forget_consent(self, patient_id: uuid.UUID) -> None:
        await self._session.execute(
            sa.delete(consent_ledger).where(consent_ledger.c.patient_id == patient_id)
        )

    async def cancel_unsent(self, patient_id: uuid.UUID, *, now: datetime) -> int:
        """Cancel what has not gone; a dispatcher holding one re-checks its lease and drops it."""
        result = await self._session.execute(
            sa.update(messages)
            .where(
                messages.c.patient_id == patient_id,
                messages.c.status.in_(("scheduled", "sending")),
                messages.c.handed_over_at.is_(None),
            )
            .values(
                status="cancelled",
                lease_expires_at=None,
                last_error="patient erased",
                updated_at=now,
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
