"""Patients by id only: enough to trace a lot to the patients treated with it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clinic_shared.contracts.events import PatientRegistered
from clinic_shared.errors import NotFound
from inventory.service_layer.scope import Scope


async def remember_patient(event: PatientRegistered, scope: Scope) -> None:
    """Know the patient's id, for tracing lots to patients later; nothing else about them."""
    await scope.patients.remember(event.patient_id)


async def first_seen(scope: Scope, patient_id: uuid.UUID) -> datetime:
    """When inventory first heard of the patient; NotFound when it never has."""
    seen = await scope.patients.first_seen_at(patient_id)
    if seen is None:
        raise NotFound(f"Inventory has not heard of patient {patient_id}.")
    return seen


@dataclass(frozen=True)
class PatientExport:
    """Everything inventory holds about one patient: each session with its reservation lines,
    and the lots used on them."""

    first_seen_at: datetime | None
    sessions: list[tuple[dict[str, Any], list[dict[str, Any]]]]
    consumptions: list[dict[str, Any]]


async def export_patient(scope: Scope, patient_id: uuid.UUID) -> PatientExport:
    trace = scope.trace
    sessions = [
        (row, await trace.reservation_lines(row["session_id"]))
        for row in await trace.patient_sessions(patient_id)
    ]
    return PatientExport(
        first_seen_at=await scope.patients.first_seen_at(patient_id),
        sessions=sessions,
        consumptions=await trace.consumptions(patient_id=patient_id),
    )
