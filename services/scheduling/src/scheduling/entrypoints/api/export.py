"""A patient's export: one JSON of everything the clinic's services hold about them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from scheduling.entrypoints.api.course_schemas import CoursePublic
from scheduling.entrypoints.api.courses import course_public
from scheduling.entrypoints.api.deps import Admin, PeersDep, ScopeDep
from scheduling.entrypoints.api.prescription_schemas import ConditionsPublic
from scheduling.entrypoints.api.schemas import PatientPublic, UTCInstant
from scheduling.service_layer import export

router = APIRouter(prefix="/v1/patients", tags=["privacy"])


class SessionRecord(BaseModel):
    """A session with all scheduling keeps of it: outcome, reasons, the products recorded."""

    id: uuid.UUID
    course_id: uuid.UUID
    sequence: int
    practitioner_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: UTCInstant
    ends_at: UTCInstant
    status: str
    confirmed_at: UTCInstant | None
    rescheduled_at: UTCInstant | None
    cancel_reason: str | None
    products_used: Any
    created_at: UTCInstant
    updated_at: UTCInstant


class SchedulingPart(BaseModel):
    patient: PatientPublic
    courses: list[CoursePublic]
    sessions: list[SessionRecord]
    conditions: ConditionsPublic


class PatientExport(BaseModel):
    patient_id: uuid.UUID
    exported_at: UTCInstant
    scheduling: SchedulingPart
    inventory: dict[str, Any] = Field(description="Inventory's export of the patient.")
    notifications: dict[str, Any] = Field(description="Notifications' export of the patient.")


@router.get("/{patient_id}/export", response_model=PatientExport)
async def export_patient(
    patient_id: uuid.UUID, scope: ScopeDep, peers: PeersDep, _: Admin
) -> PatientExport:
    """Everything held about the patient, here and in inventory and notifications; 503 naming
    the service when one does not answer, never a partial export."""
    found = await export.export_patient(scope, patient_id, peers)
    return PatientExport(
        patient_id=patient_id,
        exported_at=found.exported_at,
        scheduling=SchedulingPart(
            patient=PatientPublic.model_validate(found.patient),
            courses=[course_public(c) for c in found.courses],
            sessions=[SessionRecord.model_validate(r) for r in found.sessions],
            conditions=ConditionsPublic(patient_id=patient_id, **vars(found.conditions)),
        ),
        **found.peers,
    )
