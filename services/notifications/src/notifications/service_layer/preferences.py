"""A patient's channel preferences and consent, changed by staff, with every change ledgered."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clinic_shared.errors import NotFound
from clinic_shared.outbox import UnitOfWork
from notifications.adapters.consent import ConsentRepository
from notifications.adapters.repository import ContactRepository
from notifications.domain.consent import ConsentChange, check_staff_may_grant_sms
from notifications.domain.policy import Channel
from notifications.service_layer.consent import apply_consent
from notifications.service_layer.replanning import replan_reminders


@dataclass(frozen=True)
class Preferences:
    preferred_channel: Channel
    language: str
    consent_sms: bool
    consent_email: bool


async def contact_row(uow: UnitOfWork, patient_id: uuid.UUID) -> Any:
    row = await ContactRepository(uow.session).get(patient_id)
    if row is None:
        raise NotFound(f"Notifications has no contact for patient {patient_id}.")
    return row


async def change_preferences(
    uow: UnitOfWork,
    patient_id: uuid.UUID,
    wanted: Preferences,
    *,
    by: str,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """Apply `wanted`; consent changes are ledgered and told to scheduling, a withdrawal cancels
    pending messages and a consent given plans the reminders of upcoming sessions. SMS that a
    STOP reply took away come back only with the patient's START (409 otherwise)."""
    consent = ConsentRepository(uow.session)
    current = await consent.locked_contact(patient_id)
    if current is None:
        raise NotFound(f"Notifications has no contact for patient {patient_id}.")
    if wanted.consent_sms and not current.consent_sms:
        check_staff_may_grant_sms(
            latest_sms=await consent.latest(patient_id, "sms"),
            number_stopped=bool(current.phone) and await consent.sms_opted_out(current.phone),
        )
    wanted_consent: dict[Channel, bool] = {"sms": wanted.consent_sms, "email": wanted.consent_email}
    changes = [ConsentChange(c, granted, "staff", by) for c, granted in wanted_consent.items()]
    await apply_consent(uow, patient_id, changes, now=now)
    for channel, granted in wanted_consent.items():
        if granted and not getattr(current, f"consent_{channel}"):
            await replan_reminders(
                uow, now=now, zone=zone, patient_ids=[patient_id], channel=channel
            )
    await ContactRepository(uow.session).set_preferences(
        patient_id,
        preferred_channel=wanted.preferred_channel,
        language=wanted.language,
        now=now,
    )
