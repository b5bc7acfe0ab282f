"""SQL for consent: the ledger, and the contacts and messages it changes at once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.crypto import blind_index
from clinic_shared.outbox import Repository
from notifications.adapters.orm import consent_ledger, contacts, messages
from notifications.domain.consent import Entry

_CONSENT = (contacts.c.consent_sms, contacts.c.consent_email, contacts.c.consent_revision)
_LATEST_FIRST = (consent_ledger.c.recorded_at.desc(), consent_ledger.c.id.desc())


class ConsentRepository(Repository):
    async def patients_with_phone(self, phone: str) -> list[uuid.UUID]:
        rows = await self._session.execute(
            sa.select(contacts.c.patient_id).where(
                contacts.c.phone_index == blind_index(phone), contacts.c.erased_at.is_(None)
            )
        )
        return list(rows.scalars())

    async def locked_contact(self, patient_id: uuid.UUID) -> sa.Row[Any] | None:
        """The patient's contact, locked until commit: changes of one patient's consent are
        applied one after the other, each on the state the one before left."""
        statement = sa.select(contacts).where(contacts.c.patient_id == patient_id)
        return (await self._session.execute(statement.with_for_update())).one_or_none()

    async def record(self, **entry: Any) -> None:
        index = blind_index(entry["address"])
        await self._session.execute(sa.insert(consent_ledger).values(address_index=index, **entry))

    async def has_entries(self, patient_id: uuid.UUID) -> bool:
        found = await self._session.scalar(
            sa.select(consent_ledger.c.id).where(consent_ledger.c.patient_id == patient_id).limit(1)
        )
        return found is not None

    async def latest(self, patient_id: uuid.UUID, channel: str) -> Entry | None:
        """The patient's latest ledger entry for `channel`."""
        row = (
            await self._session.execute(
                sa.select(consent_ledger.c.action, consent_ledger.c.source)
                .where(
                    consent_ledger.c.patient_id == patient_id, consent_ledger.c.channel == channel
                )
                .order_by(*_LATEST_FIRST)
                .limit(1)
            )
        ).one_or_none()
        return None if row is None else Entry(row.action, row.source)

    async def sms_opted_out(self, phone: str) -> bool:
        """Whether the number's latest STOP or START reply was a STOP."""
        latest = await self._session.scalar(
            sa.select(consent_ledger.c.action)
            .where(
                consent_ledger.c.channel == "sms",
                consent_ledger.c.source == "sms_reply",
                consent_ledger.c.address_index == blind_index(phone),
            )
            .order_by(*_LATEST_FIRST)
            .limit(1)
        )
        return latest == "opt_out"

    async def set_consent(
        self, patient_id: uuid.UUID, values: dict[str, bool], *, now: datetime
    ) -> sa.Row[Any]:
        """Set the patient's consent columns and count a new revision; the new state."""
        statement = (
            sa.update(contacts)
            .where(contacts.c.patient_id == patient_id)
            .values(consent_revision=contacts.c.consent_revision + 1, updated_at=now, **values)
            .returning(
                contacts.c.consent_sms, contacts.c.consent_email, contacts.c.consent_revision
            )
        )
        return (await self._session.execute(statement)).one()

    async def cancel_scheduled(
        self, patient_ids: Sequence[uuid.UUID], channel: str, *, reason: str, now: datetime
    ) -> int:
        """Cancel these patients' messages by `channel` that have not gone yet (a dispatcher
        holding one checks its lease before sending, and drops it)."""
        result = await self._session.execute(
            sa.update(messages)
            .where(
                messages.c.patient_id.in_(patient_ids),
                messages.c.channel == channel,
                messages.c.status.in_(("scheduled", "sending")),
                messages.c.handed_over_at.is_(None),
            )
            .values(status="cancelled", last_error=reason, lease_expires_at=None, updated_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def entries(self, patient_id: uuid.UUID) -> Sequence[sa.Row[Any]]:
        rows = await self._session.execute(
            sa.select(consent_ledger)
            .where(consent_ledger.c.patient_id == patient_id)
            .order_by(consent_ledger.c.recorded_at, consent_ledger.c.id)
        )
        return rows.all()
