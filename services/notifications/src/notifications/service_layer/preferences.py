"""A patient's channel preferences and consent, changed by staff, with every change ledgered."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clinic_shared.errors import NotFound
from notifications.domain.consent import ConsentChange, check_staff_may_grant_sms
from notifications.domain.policy import Channel
from notifications.service_layer.consent import apply_consent
from notifications.service_layer.replanning import replan_reminders
from notifications.service_layer.scope import Scope


@dataclass(frozen=True)
class Preferences:
    preferred_channel: Channel
    language: str
    consent_sms: bool
    consent_email: bool


async def contact_row(scope: Scope, patient_id: uuid.UUID) -> Any:
    """The patient's contact as notifications holds it; 404 when it holds none."""
    row = await scope.contacts.get(patient_id)
    if row is None:
        raise NotFound(f"Notifications has no contact for patient {patient_id}.")
    return row


async def read_preferences(scope: Scope, patient_id: uuid.UUID) -> tuple[Any, Sequence[Any]]:
    """The patient's contact (with its preferences and consent) and their consent ledger."""
    row = await contact_row(scope, patient_id)
    return row, await scope.consent.entries(patient_id)


async def change_preferences(
    scope: Scope, patient_id: uuid.UUID, wanted: Preferences, *, by: str
) -> None:
    """Apply `wanted`; consent changes are ledgered and told to scheduling, a withdrawal cancels
    pending messages and a consent given plans the reminders of upcoming sessions. SMS that a
    STOP reply took away come back only with the patient's START (409 otherwise)."""
    consent = scope.consent
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
    await apply_consent(scope, patient_id, changes)
    for channel, granted in wanted_consent.items():
        if granted and not getattr(current, f"consent_{channel}"):
            await replan_reminders(scope, patient_ids=[patient_id], channel=channel)
    await scope.contacts.set_preferences(
        patient_id,
        preferred_channel=wanted.preferred_channel,
        language=wanted.language,
        now=scope.now,
    )
