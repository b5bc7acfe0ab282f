"""The demo clinic's scheduling data, seeded once by `make run`."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

from clinic_shared.db import utcnow
from clinic_shared.outbox import UnitOfWork
from clinic_shared.runtime import Seeder
from clinic_shared.settings import ServiceSettings
from scheduling.domain.audit import Actor
from scheduling.domain.model import WorkingHours
from scheduling.service_layer import courses
from scheduling.service_layer.patients import RegisterPatient, register_patient
from scheduling.service_layer.scope import Clinic, Scope

AMELIA = uuid.UUID("00000000-0000-4000-8000-000000000001")
CHLOE = uuid.UUID("00000000-0000-4000-8000-000000000002")
DR_DUBOIS = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
NURSE_PATEL = uuid.UUID("00000000-0000-4000-8000-0000000000a2")
ROOMS = {
    uuid.UUID("00000000-0000-4000-8000-0000000000b1"): "Room 1",
    uuid.UUID("00000000-0000-4000-8000-0000000000b2"): "Room 2",
}
DEMO_SEED = Actor(subject="demo-seed", role="system")
WEEKDAYS = [WorkingHours(day, time(9), time(18)) for day in range(5)]

DEMO_PATIENTS = (
    RegisterPatient(
        patient_id=AMELIA,
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
        patient_id=CHLOE,
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


def demo_seeder(settings: ServiceSettings) -> Seeder:
    async def seed_demo(uow: UnitOfWork) -> None:
        """Register the demo staff, rooms and patients, and book Amelia's course; once."""
        scope = Scope(uow, Clinic(zone=settings.zone, now=utcnow()), DEMO_SEED)
        if await scope.patients.exists(AMELIA):
            return
        for practitioner_id, name in ((DR_DUBOIS, "Dr Claire Dubois"), (NURSE_PATEL, "Sam Patel")):
            await scope.staff.add_practitioner(practitioner_id, name, None, scope.clinic.now)
            await scope.staff.replace_hours(practitioner_id, WEEKDAYS)
        for room_id, name in ROOMS.items():
            await scope.staff.add_room(room_id, name, scope.clinic.now)
        for cmd in DEMO_PATIENTS:
            await register_patient(scope, cmd, country=settings.country)
        opened = await courses.open_course(
            scope,
            patient_id=AMELIA,
            treatment_code="cellulite-thighs",
            practitioner_id=DR_DUBOIS,
            sessions_planned=10,
            by="demo seed",
        )
        tomorrow = (scope.clinic.now + timedelta(days=1)).astimezone(settings.zone).date()
        options = courses.PlanOptions(first_day=tomorrow, time_of_day=time(10))
        proposed = await courses.plan(scope, opened.course.id, options)
        starts = [courses.PlannedStart(p.starts_at, p.room_id) for p in proposed]
        await courses.book_plan(scope, opened.course.id, starts)
        await uow.commit()

    return seed_demo
