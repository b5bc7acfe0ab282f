"""Everything inventory holds about one patient (an id only): their part of scheduling's export."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from inventory.entrypoints.api.deps import Admin, ScopeDep
from inventory.entrypoints.api.trace_schemas import ConsumptionPublic, ReservationLine
from inventory.service_layer import patients

router = APIRouter(prefix="/v1/patients", tags=["privacy"])


class SessionStock(BaseModel):
    session_id: uuid.UUID
    course_id: uuid.UUID
    treatment_code: str
    starts_at: datetime
    status: str
    reservations: list[ReservationLine]


class InventoryExport(BaseModel):
    first_seen_at: datetime | None
    sessions: list[SessionStock]
    consumptions: list[ConsumptionPublic]


@router.get("/{patient_id}/export", response_model=InventoryExport)
async def export_patient(patient_id: uuid.UUID, scope: ScopeDep, _: Admin) -> InventoryExport:
    """The patient's sessions with their reservations, and the lots used on them."""
    export = await patients.export_patient(scope, patient_id)
    return InventoryExport(
        first_seen_at=export.first_seen_at,
        sessions=[
            SessionStock(**session, reservations=[ReservationLine(**line) for line in lines])
            for session, lines in export.sessions
        ],
        consumptions=[ConsumptionPublic(**c) for c in export.consumptions],
    )
