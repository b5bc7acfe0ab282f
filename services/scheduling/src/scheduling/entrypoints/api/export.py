"""A patient's export: one JSON of everything the clinic's services hold about them."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from scheduling.adapters.peers import PeerExports
from scheduling.adapters.repository import PatientRepository
from scheduling.entrypoints.api.course_schemas import CoursePublic
from scheduling.entrypoints.api.courses import course_public
from scheduling.entrypoints.api.deps import Admin, ScopeDep, SettingsDep
from scheduling.entrypoints.api.schemas import PatientPublic, UTCInstant
from scheduling.service_layer.patients import get_patient

router = APIRouter(prefix="/v1/patients", tags=["privacy"])


def get_peers(settings: SettingsDep) -> PeerExports:
    urls = {"inventory": settings.inventory_url, "notifications": settings.notifications_url}
    return PeerExports(urls, timeout=settings.peer_timeout_seconds)


PeersDep = Annotated[PeerExports, Depends(get_peers)]


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


class PatientExport(BaseModel):
    patient_id: uuid.UUID
    exported_at: UTCInstant
    scheduling: SchedulingPart
    inventory: dict[str, Any] = Field(description="Inventory's export of the patient.")
    notifications: dict[str, Any] = Field(description="Notifications' export of the patient.")


@router.get("/{patient_id}/export", response_model=PatientExport)
async def export_patient(
    patient_id: uuid.UUID, request: Request, scope: ScopeDep, peers: PeersDep, _: Admin
) -> PatientExport:
    """Everything held about the patient, here and in inventory and notifications; 503 naming
    the service when one does not answer, never a partial export."""
    patient = await get_patient(scope.uow, patient_id)
    courses = [await course_public(scope, c) for c in await scope.calendar.courses_of(patient_id)]
    records = await PatientRepository(scope.uow.session).session_records(patient_id)
    parts = await peers.fetch(patient_id, authorization=request.headers["authorization"])
    return PatientExport(
        patient_id=patient_id,
        exported_at=scope.clinic.now,
        scheduling=SchedulingPart(
            patient=PatientPublic.model_validate(patient),
            courses=courses,
            sessions=[SessionRecord.model_validate(r) for r in records],
        ),
        **parts,
    )
