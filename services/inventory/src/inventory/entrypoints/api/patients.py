"""Which patients inventory knows of (ids only), for lot traceability."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel

from clinic_shared.errors import NotFound
from inventory.adapters.orm import patient_refs
from inventory.entrypoints.api.deps import StockStaff, UowDep

router = APIRouter(prefix="/v1/patient-refs", tags=["traceability"])


class PatientRefPublic(BaseModel):
    patient_id: uuid.UUID
    first_seen_at: datetime


@router.get("/{patient_id}", response_model=PatientRefPublic)
async def read_patient_ref(patient_id: uuid.UUID, uow: UowDep, _: StockStaff) -> PatientRefPublic:
    row = (
        await uow.session.execute(
            sa.select(patient_refs).where(patient_refs.c.patient_id == patient_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"Inventory has not heard of patient {patient_id}.")
    return PatientRefPublic(patient_id=row.patient_id, first_seen_at=row.first_seen_at)
