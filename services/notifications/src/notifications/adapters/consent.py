"""SQL for consent: the ledger, and the contacts and messages it changes at once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.crypto import blind_index
from notifications.adapters.orm import consent_ledger, contacts, messages


class ConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def patients_with_phone(self, phone: str) -> list[uuid.UUID]:
        rows = await self._session.execute(
            sa.select(contacts.c.patient_id).where(contacts.c.phone_index == blind_index(phone))
        )
        return list(rows.scalars())

    async def record(self, **entry: Any) -> None:
        index = blind_index(entry["address"])
        await self._session.execute(sa.insert(consent_ledger).values(address_index=index, **entry))

    async def sms_opted_out(self, phone: str) -> bool:
        """Whether the number's latest SMS consent entry is an opt-out."""
        latest = await self._session.scalar(
            sa.select(consent_ledger.c.action)
            .where(
                consent_ledger.c.channel == "sms",
                consent_ledger.c.address_index == blind_index(phone),
            )
            .order_by(consent_ledger.c.recorded_at.desc(), consent_ledger.c.id.desc())
            .limit(1)
        )
        return latest == "opt_out"

    async def set_sms_consent(self, phone: str, consent: bool, *, now: datetime) -> None:
        await self._session.execute(
            sa.update(contacts)
            .where(contacts.c.phone_index == blind_index(phone))
            .values(consent_sms=consent, updated_at=now, source_occurred_at=now)
        )

    async def cancel_scheduled(
        self, patient_ids: Sequence[uuid.UUID], channel: str, *, reason: str, now: datetime
    ) -> int:
        """Cancel these patients' messages by `channel` that have not gone yet."""
        result = await self._session.execute(
            sa.update(messages)
            .where(
                messages.c.patient_id.in_(patient_ids),
                messages.c.channel == channel,
                messages.c.status == "scheduled",
            )
            .values(status="cancelled", last_error=reason, updated_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def entries(self, patient_id: uuid.UUID) -> Sequence[sa.Row[Any]]:
        rows = await self._session.execute(
            sa.select(consent_ledger)
            .where(consent_ledger.c.patient_id == patient_id)
            .order_by(consent_ledger.c.recorded_at, consent_ledger.c.id)
        )
        return rows.all()
