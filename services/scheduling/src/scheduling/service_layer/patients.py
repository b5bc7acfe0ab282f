"""Use cases on patients; the caller's unit of work commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from clinic_shared.contracts.events import PatientRegistered
from clinic_shared.errors import NotFound
from clinic_shared.outbox import UnitOfWork
from scheduling.adapters.repository import PatientRepository
from scheduling.domain.patients import Channel, Patient, check_reachable, normalise_phone


@dataclass(frozen=True)
class RegisterPatient:
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    language: str
    preferred_channel: Channel
    consent_sms: bool
    consent_email: bool
    patient_id: uuid.UUID | None = None


async def register_patient(
    uow: UnitOfWork, cmd: RegisterPatient, *, now: datetime, phone_region: str
) -> Patient:
    """Register a patient and announce it; a known id returns the patient already there."""
    repo = PatientRepository(uow.session)
    if cmd.patient_id is not None and (existing := await repo.get(cmd.patient_id)):
        return existing
    phone = normalise_phone(cmd.phone, phone_region) if cmd.phone else None
    email = cmd.email.strip().lower() if cmd.email else None
    check_reachable(
        phone=phone,
        email=email,
        preferred=cmd.preferred_channel,
        sms=cmd.consent_sms,
        mail=cmd.consent_email,
    )
    patient = Patient(
        id=cmd.patient_id or uuid.uuid4(),
        first_name=cmd.first_name.strip(),
        last_name=cmd.last_name.strip(),
        phone=phone,
        email=email,
        language=cmd.language,
        preferred_channel=cmd.preferred_channel,
        consent_sms=cmd.consent_sms,
        consent_email=cmd.consent_email,
        created_at=now,
    )
    await repo.add(patient)
    uow.emit(
        PatientRegistered(
            patient_id=patient.id,
            first_name=patient.first_name,
            last_name=patient.last_name,
            phone=patient.phone,
            email=patient.email,
            language=patient.language,
            preferred_channel=patient.preferred_channel,
            consent_sms=patient.consent_sms,
            consent_email=patient.consent_email,
        )
    )
    return patient


async def get_patient(uow: UnitOfWork, patient_id: uuid.UUID) -> Patient:
    patient = await PatientRepository(uow.session).get(patient_id)
    if patient is None:
        raise NotFound(f"No patient {patient_id}.")
    return patient
