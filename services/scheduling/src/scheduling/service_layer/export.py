"""A patient's export: all scheduling holds about them, with the other services' parts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from scheduling.domain.patients import Patient
from scheduling.domain.prescriptions import Conditions
from scheduling.service_layer.courses import CourseView, courses_of
from scheduling.service_layer.patients import get_patient
from scheduling.service_layer.scope import Scope


class Peers(Protocol):
    """The other services' parts of a patient's export: all of them, or ServiceUnavailable."""

    async def fetch(self, patient_id: uuid.UUID) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PatientExport:
    patient: Patient
    courses: list[CourseView]
    sessions: list[dict[str, Any]]  # every column of every session, earliest first
    peers: dict[str, Any]  # each other service's part, by the service's name
    exported_at: datetime
    conditions: Conditions  # allergies and contraindications


async def export_patient(scope: Scope, patient_id: uuid.UUID, peers: Peers) -> PatientExport:
    """Everything held about the patient, here and in the other services; never a partial
    export (a peer that does not answer raises ServiceUnavailable)."""
    patient = await get_patient(scope, patient_id)
    courses = await courses_of(scope, patient_id)
    sessions = await scope.patients.session_records(patient_id)
    conditions = await scope.prescriptions.conditions(patient_id)
    parts = await peers.fetch(patient_id)
    return PatientExport(patient, courses, sessions, parts, scope.clinic.now, conditions)
