"""Which patients inventory knows of (ids only), for lot traceability."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from inventory.entrypoints.api.deps import ScopeDep, StockStaff
from inventory.service_layer.patients import first_seen

router = APIRouter(prefix="/v1/patient-refs", tags=["traceability"])


class PatientRefPublic(BaseModel):
    patient_id: uuid.UUID
    first_seen_at: datetime


@router.get("/{patient_id}", response_model=PatientRefPublic)
async def read_patient_ref(
    patient_id: uuid.UUID, scope: ScopeDep, _: StockStaff
) -> PatientRefPublic:
    return PatientRefPublic(
        patient_id=patient_id, first_seen_at=await first_seen(scope, patient_id)
    )
