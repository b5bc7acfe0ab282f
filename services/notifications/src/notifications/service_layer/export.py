"""Everything notifications holds about one patient, for their part of scheduling's export."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
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
    staff_alerts: Sequence[Mapping[str, Any]]


async def patient_record(scope: Scope, patient_id: uuid.UUID) -> PatientRecord:
    """The patient's contact (None when never projected) with its preferences, their consent
    ledger, their messages with every attempt, and the staff alerts about them."""
    contact = await scope.contacts.get(patient_id)
    ledger = await scope.consent.entries(patient_id)
    found = await scope.messages.find(
        filters={"patient_id": patient_id}, limit=EVERY_MESSAGE, offset=0
    )
    messages = [(row, await scope.messages.attempts(row.id)) for row in found]
    alerts = [
        only_about(patient_id, dict(a._mapping))
        for a in await scope.alerts.about_patient(patient_id)
    ]
    return PatientRecord(contact, ledger, messages, alerts)


def only_about(patient_id: uuid.UUID, alert: Mapping[str, Any]) -> Mapping[str, Any]:
    """A staff alert as one patient's export shows it. An alert may name several patients (a
    reply from a phone number a family shares, `reply_unmatched`): the export is that patient's
    data, so it keeps their entry and counts the others (`others_named`) without naming them."""
    details = dict(alert["details"])
    named = details.get("patients")
    if isinstance(named, list):
        mine = [p for p in named if isinstance(p, dict) and p.get("patient_id") == str(patient_id)]
        details["patients"] = mine
        details["others_named"] = len(named) - len(mine)
    return {**alert, "details": details}
