"""Inventory's reactions to other services' events; the consumer's unit of work commits."""

from __future__ import annotations

import sqlalchemy as sa

from clinic_shared.context import current_event_id
from clinic_shared.contracts.events import PatientRegistered
from clinic_shared.db import utcnow
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.orm import patient_refs


async def remember_patient(event: PatientRegistered, uow: UnitOfWork) -> None:
    """Know the patient's id, for tracing lots to patients later; nothing else about them."""
    known = await uow.session.scalar(
        sa.select(patient_refs.c.patient_id).where(patient_refs.c.patient_id == event.patient_id)
    )
    if known is None:
        await uow.session.execute(
            sa.insert(patient_refs).values(
                patient_id=event.patient_id,
                first_seen_at=utcnow(),
                source_event_id=current_event_id(),
            )
        )


HANDLERS = {PatientRegistered.TYPE: remember_patient}
