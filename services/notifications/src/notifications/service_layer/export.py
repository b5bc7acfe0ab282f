"""Everything notifications holds about one patient, for their part of scheduling's export."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from notifications.service_layer.scope import Scope

EVERY_MESSAGE = 100_000


@dataclass(frozen=True)
class PatientRecord:
    contact: Any | None
    consent_ledger: Sequence[Any]
    messages: list[tuple[Any, Sequence[Any]]]
    """Each message with its attempts."""
    staff_alerts: Sequence[Any]


async def patient_record(scope: Scope, patient_id: uuid.UUID) -> PatientRecord:
    """The patient's contact (None when never projected) with its preferences, their consent
    ledger, their messages with every attempt, and the staff alerts about them."""
    contact = await scope.contacts.get(patient_id)
    ledger = await scope.consent.entries(patient_id)
    found = await scope.messages.find(
        filters={"patient_id": patient_id}, limit=EVERY_MESSAGE, offset=0
    )
    messages = [(row, await scope.messages.attempts(row.id)) for row in found]
    alerts = await scope.alerts.about_patient(patient_id)
    return PatientRecord(contact, ledger, messages, alerts)
