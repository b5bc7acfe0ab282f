"""Patients by id only: enough to trace a lot to the patients treated with it."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from clinic_shared.context import current_event_id
from clinic_shared.db import utcnow
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.orm import patient_refs


async def remember_patient_id(uow: UnitOfWork, patient_id: uuid.UUID) -> None:
    """Know the patient's id (once, even when two events race); nothing else about them."""
    postgres = uow.session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    await uow.session.execute(
        insert(patient_refs)
        .values(patient_id=patient_id, first_seen_at=utcnow(), source_event_id=current_event_id())
        .on_conflict_do_nothing()
    )
