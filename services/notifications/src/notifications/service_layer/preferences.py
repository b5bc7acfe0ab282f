"""A patient's channel preferences and consent, changed by staff, with every change ledgered."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.errors import Conflict, NotFound
from clinic_shared.outbox import UnitOfWork
from notifications.adapters.consent import ConsentRepository
from notifications.adapters.orm import contacts
from notifications.domain.policy import Channel


@dataclass(frozen=True)
class Preferences:
    preferred_channel: Channel
    language: str
    consent_sms: bool
    consent_email: bool


async def contact_row(uow: UnitOfWork, patient_id: uuid.UUID) -> sa.Row[Any]:
    row = (
        await uow.session.execute(sa.select(contacts).where(contacts.c.patient_id == patient_id))
    ).one_or_none()
    if row is None:
        raise NotFound(f"Notifications has no contact for patient {patient_id}.")
    return row


async def change_preferences(
    uow: UnitOfWork, patient_id: uuid.UUID, wanted: Preferences, *, by: str, now: datetime
) -> None:
    """Apply `wanted`; consent changes are ledgered and a withdrawal cancels pending messages.

    A number that replied STOP stays opted out until the patient replies START: carriers
    block it anyway, so staff cannot switch SMS back on.
    """
    current = await contact_row(uow, patient_id)
    consent = ConsentRepository(uow.session)
    turning_on = wanted.consent_sms and not current.consent_sms and current.phone
    if turning_on and await consent.sms_opted_out(current.phone):
        raise Conflict("The patient replied STOP; SMS resume when they reply START.")
    for channel, address, before, after in (
        ("sms", current.phone, current.consent_sms, wanted.consent_sms),
        ("email", current.email, current.consent_email, wanted.consent_email),
    ):
        if before != after:
            await _ledger(consent, patient_id, channel, address, after, by=by, now=now)
    await uow.session.execute(
        sa.update(contacts)
        .where(contacts.c.patient_id == patient_id)
        .values(
            preferred_channel=wanted.preferred_channel,
            language=wanted.language,
            consent_sms=wanted.consent_sms,
            consent_email=wanted.consent_email,
            source_occurred_at=now,
            updated_at=now,
        )
    )


async def _ledger(
    consent: ConsentRepository,
    patient_id: uuid.UUID,
    channel: str,
    address: str | None,
    granted: bool,
    *,
    by: str,
    now: datetime,
) -> None:
    await consent.record(
        patient_id=patient_id,
        channel=channel,
        address=address or "",
        action="opt_in" if granted else "opt_out",
        source="staff",
        reference=by[:100],
        recorded_at=now,
    )
    if not granted:
        await consent.cancel_scheduled([patient_id], channel, reason="consent withdrawn", now=now)
