"""The demo clinic's scheduling data, seeded once by `make run`."""

from __future__ import annotations

import uuid

from clinic_shared.db import utcnow
from clinic_shared.outbox import UnitOfWork
from scheduling.adapters.repository import PatientRepository
from scheduling.service_layer.patients import RegisterPatient, register_patient

DEMO_PATIENTS = (
    RegisterPatient(
        patient_id=uuid.UUID("00000000-0000-4000-8000-000000000001"),
        first_name="Amelia",
        last_name="Hart",
        phone="+447911123456",
        email="amelia.hart@example.com",
        language="en",
        preferred_channel="sms",
        consent_sms=True,
        consent_email=True,
    ),
    RegisterPatient(
        patient_id=uuid.UUID("00000000-0000-4000-8000-000000000002"),
        first_name="Chloé",
        last_name="Martin",
        phone=None,
        email="chloe.martin@example.com",
        language="fr",
        preferred_channel="email",
        consent_sms=False,
        consent_email=True,
    ),
)


async def seed_demo(uow: UnitOfWork) -> None:
    """Register the demo patients that are not there yet."""
    repo = PatientRepository(uow.session)
    for cmd in DEMO_PATIENTS:
        assert cmd.patient_id is not None
        if not await repo.exists(cmd.patient_id):
            await register_patient(uow, cmd, now=utcnow(), phone_region="GB")
    await uow.commit()
