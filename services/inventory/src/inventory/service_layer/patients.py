"""Patients by id only: enough to trace a lot to the patients treated with it."""

from __future__ import annotations

import uuid

from clinic_shared.context import current_event_id
from clinic_shared.db import insert_once, utcnow
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.orm import patient_refs


async def remember_patient_id(uow: UnitOfWork, patient_id: uuid.UUID) -> None:
    """Know the patient's id (once, even when two events race); nothing else about them."""
    values = {"patient_id": patient_id, "first_seen_at": utcnow()}
    await insert_once(uow.session, patient_refs, values | {"source_event_id": current_event_id()})
