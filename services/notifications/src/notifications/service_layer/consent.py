"""Changing a patient's consent: ledgered, applied at once, and told to scheduling.

Notifications owns consent. Every change goes through `apply_consent`: it writes the ledger,
sets the contact's consent with a new revision, cancels what a withdrawal forbids and emits
`notifications.consent.changed`, which scheduling's copy follows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from clinic_shared.contracts.events import ConsentChanged, PatientRegistered
from notifications.domain.consent import ConsentChange
from notifications.domain.policy import Channel
from notifications.service_layer.scope import Scope

WITHDRAWN_BECAUSE = {"sms_reply": "opted out", "staff": "consent withdrawn"}
STOPPED_NUMBER = "the number replied STOP"


async def apply_consent(
    scope: Scope,
    patient_id: uuid.UUID,
    changes: Sequence[ConsentChange],
    *,
    announce: bool = True,
) -> Any | None:
    """Ledger and apply those of `changes` that change the patient's consent; a withdrawal
    cancels what was to go by that channel. Returns the new consent, or None when nothing
    changed (or the patient is unknown or erased); with `announce`, the change is emitted."""
    consent, now = scope.consent, scope.now
    contact = await consent.locked_contact(patient_id)
    if contact is None or contact.erased_at is not None:
        return None
    effective = [c for c in changes if getattr(contact, f"consent_{c.channel}") != c.granted]
    if not effective:
        return None
    for change in effective:
        await consent.record(
            patient_id=patient_id,
            channel=change.channel,
            address=(contact.phone if change.channel == "sms" else contact.email) or "",
            action="opt_in" if change.granted else "opt_out",
            source=change.source,
            reference=change.reference[:100],
            recorded_at=now,
        )
        if not change.granted:
            reason = WITHDRAWN_BECAUSE[change.source]
            await consent.cancel_scheduled([patient_id], change.channel, reason=reason, now=now)
    values = {f"consent_{c.channel}": c.granted for c in effective}
    state = await consent.set_consent(patient_id, values, now=now)
    if announce:
        announce_consent(scope, patient_id, state)
    return state


def announce_consent(scope: Scope, patient_id: uuid.UUID, state: Any) -> None:
    scope.uow.emit(
        ConsentChanged(
            patient_id=patient_id,
            consent_sms=state.consent_sms,
            consent_email=state.consent_email,
            revision=state.consent_revision,
            changed_at=scope.now,
        )
    )


async def consent_from_registration(scope: Scope, event: PatientRegistered) -> None:
    """The consent the patient gave at the desk, ledgered unless a later change was (an update
    can arrive first), and SMS withdrawn on a number that replied STOP. Scheduling, which
    registered the patient with the desk's consent, hears only when the result differs."""
    given: list[ConsentChange] = []
    if not await scope.consent.has_entries(event.patient_id):
        desk: dict[Channel, bool] = {"sms": event.consent_sms, "email": event.consent_email}
        given = [
            ConsentChange(channel, True, "staff", "registration")
            for channel, granted in desk.items()
            if granted
        ]
    given_state = await apply_consent(scope, event.patient_id, given, announce=False)
    state = await withdraw_sms_of_stopped_number(scope, event.patient_id) or given_state
    if state is not None and (state.consent_sms, state.consent_email) != (
        event.consent_sms,
        event.consent_email,
    ):
        announce_consent(scope, event.patient_id, state)


async def withdraw_sms_of_stopped_number(
    scope: Scope, patient_id: uuid.UUID, *, announce: bool = False
) -> Any | None:
    """A patient whose number replied STOP gets no SMS until it replies START: their SMS
    consent goes as if they had replied (so that START gives it back). The new consent, or
    None when nothing changed."""
    contact = await scope.consent.locked_contact(patient_id)
    if contact is None or not contact.consent_sms or not contact.phone:
        return None
    if not await scope.consent.sms_opted_out(contact.phone):
        return None
    withdrawal = ConsentChange("sms", False, "sms_reply", STOPPED_NUMBER)
    return await apply_consent(scope, patient_id, [withdrawal], announce=announce)
