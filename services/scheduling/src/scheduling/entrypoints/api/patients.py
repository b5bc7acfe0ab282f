"""Patient routes."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from clinic_shared.paging import Page, paged
from scheduling.entrypoints.api.audit_schemas import AuditEntryPublic, PatientRecord
from scheduling.entrypoints.api.deps import (
    Admin,
    ClinicalStaff,
    FrontDesk,
    ScopeDep,
    SettingsDep,
)
from scheduling.entrypoints.api.schemas import PatientCreate, PatientPublic, PatientUpdate
from scheduling.service_layer import audit, patients

router = APIRouter(prefix="/v1/patients", tags=["patients"])
MAX_IDS = 50


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PatientPublic)
async def create_patient(
    body: PatientCreate, scope: ScopeDep, settings: SettingsDep, who: FrontDesk
) -> PatientPublic:
    """Register a patient; their contact details reach notifications by event."""
    scope.act_as(who.subject, who.role)
    cmd = patients.RegisterPatient(patient_id=body.id, **body.model_dump(exclude={"id"}))
    patient = await patients.register_patient(scope, cmd, country=settings.country)
    await scope.uow.commit()
    return PatientPublic.model_validate(patient)


@router.get("/{patient_id}", response_model=PatientRecord)
async def read_patient(patient_id: uuid.UUID, scope: ScopeDep, who: ClinicalStaff) -> PatientRecord:
    """The patient, with their audit trail. A practitioner reads only the patients they treat
    (403 otherwise); a stock manager none (a recall names its patients: `/v1/recalls/patients`)."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
    patient = await patients.get_patient(scope, patient_id)
    entries = await audit.trail(scope, "patient", patient_id)
    return PatientRecord(
        **PatientPublic.model_validate(patient).model_dump(),
        audit=[AuditEntryPublic(**asdict(e)) for e in entries],
    )


@router.patch("/{patient_id}", response_model=PatientPublic)
async def update_patient(
    patient_id: uuid.UUID,
    body: PatientUpdate,
    scope: ScopeDep,
    settings: SettingsDep,
    who: FrontDesk,
) -> PatientPublic:
    """Change a patient's details or consent; notifications hears of it by event."""
    scope.act_as(who.subject, who.role)
    patient = await patients.update_patient(
        scope, patient_id, body.changes(), country=settings.country
    )
    await scope.uow.commit()
    return PatientPublic.model_validate(patient)


@router.get("", response_model=list[PatientPublic])
async def list_patients(
    scope: ScopeDep,
    settings: SettingsDep,
    who: ClinicalStaff,  # searching patients by name, phone or email is not stock work
    page: Annotated[Page, paged(50)],
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="A part of the name (accents and case ignored), or a whole phone "
            "number (any format) or email",
        ),
    ] = None,
    sort: Annotated[
        Literal["name", "-name", "registered", "-registered"],
        Query(description="By last then first name, or by registration; `-` for descending."),
    ] = "name",
    id: Annotated[
        list[uuid.UUID] | None,
        Query(
            max_length=MAX_IDS,
            description=f"Only these patients (at most {MAX_IDS}): the names of the patients a "
            "page lists (the message log's), in one request.",
        ),
    ] = None,
) -> list[PatientPublic]:
    scope.act_as(who.subject, who.role, who.practitioner_id)  # a practitioner: their patients
    found = await patients.list_patients(
        scope,
        limit=page.limit,
        offset=page.offset,
        query=q,
        country=settings.country,
        order=sort,
        ids=id,
    )
    return [PatientPublic.model_validate(p) for p in found]


@router.post("/{patient_id}/erase", response_model=PatientPublic)
async def erase(patient_id: uuid.UUID, scope: ScopeDep, who: Admin) -> PatientPublic:
    """Forget who the patient is, here and (by event) in notifications and inventory. Their
    active courses are abandoned and their sessions yet to start cancelled (vials released,
    messages cancelled); past sessions stay on record. Nothing new is booked for them after.

    Erasing an erased patient answers the same and changes nothing.
    """
    scope.act_as(who.subject, who.role)
    patient = await patients.erase_patient(scope, patient_id)
    await scope.uow.commit()
    return PatientPublic.model_validate(patient)
