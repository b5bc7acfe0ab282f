"""Patient routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from clinic_shared.db import utcnow
from scheduling.adapters.repository import PatientRepository
from scheduling.entrypoints.api.deps import ClinicalStaff, FrontDesk, SettingsDep, UowDep
from scheduling.entrypoints.api.schemas import PatientCreate, PatientPublic
from scheduling.service_layer.patients import RegisterPatient, get_patient, register_patient

router = APIRouter(prefix="/v1/patients", tags=["patients"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PatientPublic)
async def create_patient(
    body: PatientCreate, uow: UowDep, settings: SettingsDep, _: FrontDesk
) -> PatientPublic:
    """Register a patient; their contact details reach notifications by event."""
    cmd = RegisterPatient(patient_id=body.id, **body.model_dump(exclude={"id"}))
    patient = await register_patient(
        uow, cmd, now=utcnow(), phone_region=settings.default_phone_region
    )
    await uow.commit()
    return PatientPublic.model_validate(patient)


@router.get("/{patient_id}", response_model=PatientPublic)
async def read_patient(patient_id: uuid.UUID, uow: UowDep, _: ClinicalStaff) -> PatientPublic:
    return PatientPublic.model_validate(await get_patient(uow, patient_id))


@router.get("", response_model=list[PatientPublic])
async def list_patients(
    uow: UowDep,
    _: ClinicalStaff,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PatientPublic]:
    patients = await PatientRepository(uow.session).list(limit=limit, offset=offset)
    return [PatientPublic.model_validate(p) for p in patients]
