"""Everything inventory holds about one patient (an id only): their part of scheduling's export."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel

from inventory.adapters.orm import patient_refs
from inventory.adapters.trace_repository import TraceRepository
from inventory.entrypoints.api.deps import Admin, UowDep
from inventory.entrypoints.api.trace_schemas import ConsumptionPublic, ReservationLine

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
async def export_patient(patient_id: uuid.UUID, uow: UowDep, _: Admin) -> InventoryExport:
    """The patient's sessions with their reservations, and the lots used on them."""
    repo = TraceRepository(uow.session)
    first_seen = await uow.session.scalar(
        sa.select(patient_refs.c.first_seen_at).where(patient_refs.c.patient_id == patient_id)
    )
    sessions = [
        SessionStock(**row, reservations=await repo.reservation_lines(row["session_id"]))
        for row in await repo.patient_sessions(patient_id)
    ]
    consumed = await repo.consumptions(patient_id=patient_id)
    return InventoryExport(
        first_seen_at=first_seen,
        sessions=sessions,
        consumptions=[ConsumptionPublic(**c) for c in consumed],
    )
