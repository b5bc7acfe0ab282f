"""Patient routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from clinic_shared.db import utcnow
from clinic_shared.paging import Page, paged
from scheduling.adapters.repository import PatientRepository
from scheduling.entrypoints.api.deps import (
    Admin,
    ClinicalStaff,
    FrontDesk,
    SettingsDep,
    Staff,
    UowDep,
)
from scheduling.entrypoints.api.schemas import PatientCreate, PatientPublic, PatientUpdate
from scheduling.service_layer import patients as patients_service
from scheduling.service_layer.patients import (
    RegisterPatient,
    erase_patient,
    get_patient,
    register_patient,
)

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
async def read_patient(patient_id: uuid.UUID, uow: UowDep, _: Staff) -> PatientPublic:
    return PatientPublic.model_validate(await get_patient(uow, patient_id))


@router.patch("/{patient_id}", response_model=PatientPublic)
async def update_patient(
    patient_id: uuid.UUID,
    body: PatientUpdate,
    uow: UowDep,
    settings: SettingsDep,
    _: FrontDesk,
) -> PatientPublic:
    """Change a patient's details or consent; notifications hears of it by event."""
    patient = await patients_service.update_patient(
        uow, patient_id, body.changes(), phone_region=settings.default_phone_region
    )
    await uow.commit()
    return PatientPublic.model_validate(patient)


@router.get("", response_model=list[PatientPublic])
async def list_patients(
    uow: UowDep,
    _: ClinicalStaff,  # searching patients by name, phone or email is not stock work
    page: Annotated[Page, paged(50)],
    q: Annotated[str | None, Query(max_length=100, description="Name, email or phone")] = None,
) -> list[PatientPublic]:
    patients = await PatientRepository(uow.session).list(
        limit=page.limit, offset=page.offset, query=q
    )
    return [PatientPublic.model_validate(p) for p in patients]


@router.post("/{patient_id}/erase", response_model=PatientPublic)
async def erase(patient_id: uuid.UUID, uow: UowDep, _: Admin) -> PatientPublic:
    """Forget who the patient is, here and (by event) in notifications; sessions stay on record.

    Erasing an erased patient answers the same and changes nothing.
    """
    patient = await erase_patient(uow, patient_id, now=utcnow())
    await uow.commit()
    return PatientPublic.model_validate(patient)
