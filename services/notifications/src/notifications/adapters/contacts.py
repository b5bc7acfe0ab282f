"""SQL for the contact projection: how each patient may be reached, from scheduling's events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from notifications.adapters.orm import contacts, policy
from notifications.adapters.policy import POLICY_ID, policy_of
from notifications.domain.planning import Reach
from notifications.domain.policy import Policy

# What planning reads of a contact, and with the policy (also read by SessionRepository).
REACH = (
    contacts.c.phone,
    contacts.c.email,
    contacts.c.preferred_channel,
    contacts.c.consent_sms,
    contacts.c.consent_email,
)
PLANNING = (*REACH, policy.c.reminders, policy.c.quiet_hours, policy.c.aftercare_delay_minutes)
_CONTACT = sa.select(*REACH).where(contacts.c.patient_id == sa.bindparam("patient_id"))
# The contact and the policy in one round trip: every booked session plans with both.
_CONTACT_AND_POLICY = (
    sa.select(*PLANNING)
    .select_from(contacts.outerjoin(policy, policy.c.id == POLICY_ID))
    .where(contacts.c.patient_id == sa.bindparam("patient_id"))
)


def reach_of(row: Any) -> Reach | None:
    """How the patient in `row` may be reached; None when no contact was found."""
    if row.preferred_channel is None:
        return None
    return Reach(
        phone=row.phone,
        email=row.email,
        preferred_channel=row.preferred_channel,
        consent_sms=row.consent_sms,
        consent_email=row.consent_email,
    )


def planning_of(row: Any) -> tuple[Reach, Policy] | None:
    """The reach and the policy in `row` (its `PLANNING` columns); None without a contact."""
    reach = None if row is None else reach_of(row)
    return None if reach is None else (reach, policy_of(row))


class ContactRepository(Repository):
    async def project(self, patient_id: uuid.UUID, details: dict[str, Any]) -> None:
        """Store the details of a patient event unless a newer one did, or the patient was
        erased; a contact new here starts with no consent (the ledger gives it)."""
        occurred_at = details["source_occurred_at"]
        current = (
            await self._session.execute(
                sa.select(contacts.c.source_occurred_at, contacts.c.erased_at)
                .where(contacts.c.patient_id == patient_id)
                .with_for_update()
            )
        ).one_or_none()
        if current is None:
            await self._session.execute(
                sa.insert(contacts).values(
                    patient_id=patient_id, consent_sms=False, consent_email=False, **details
                )
            )
        elif current.erased_at is None and current.source_occurred_at <= occurred_at:
            await self._session.execute(
                sa.update(contacts).where(contacts.c.patient_id == patient_id).values(**details)
            )

    async def get(self, patient_id: uuid.UUID) -> sa.Row[Any] | None:
        statement = sa.select(contacts).where(contacts.c.patient_id == patient_id)
        return (await self._session.execute(statement)).one_or_none()

    async def set_preferences(
        self, patient_id: uuid.UUID, *, preferred_channel: str, language: str, now: datetime
    ) -> None:
        """Staff's choice of channel and language; the patient's next event may change them
        again (it leaves `source_occurred_at` to the events, or an edit made before this one,
        still on its way, would be dropped as older)."""
        await self._session.execute(
            sa.update(contacts)
            .where(contacts.c.patient_id == patient_id)
            .values(preferred_channel=preferred_channel, language=language, updated_at=now)
        )

    async def reach(self, patient_id: uuid.UUID) -> Reach | None:
        row = (await self._session.execute(_CONTACT, {"patient_id": patient_id})).one_or_none()
        return None if row is None else reach_of(row)

    async def reach_and_policy(self, patient_id: uuid.UUID) -> tuple[Reach, Policy] | None:
        """How the patient may be reached and the reminder policy, or None for an unknown
        patient."""
        query = _CONTACT_AND_POLICY
        row = (await self._session.execute(query, {"patient_id": patient_id})).one_or_none()
        return planning_of(row)
