"""A patient erased in scheduling: forget how to reach them, and send them nothing more."""

from __future__ import annotations

from clinic_shared.contracts.events import PatientErased
from clinic_shared.db import utcnow
from notifications.service_layer.scope import Scope

ERASED_NAME = "erased"


async def erase_contact(event: PatientErased, scope: Scope) -> None:
    """Leave a tombstone contact (no name, address or consent), drop the patient's consent
    ledger and cancel their unsent messages; idempotent, and later events cannot refill it."""
    now = utcnow()
    await scope.erasure.tombstone(
        event.patient_id,
        {
            "first_name": ERASED_NAME,
            "phone": None,
            "email": None,
            "phone_index": None,
            "email_index": None,
            "consent_sms": False,
            "consent_email": False,
            "erased_at": event.erased_at,
            "source_occurred_at": scope.now,
            "updated_at": now,
        },
    )
    await scope.erasure.forget_consent(event.patient_id)
    await scope.erasure.cancel_unsent(event.patient_id, now=now)
