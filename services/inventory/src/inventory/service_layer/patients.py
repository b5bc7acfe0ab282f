"""Patients by id only: enough to trace a lot to the patients treated with it."""

from __future__ import annotations

import uuid
from typing import Any

from clinic_shared.context import current_event_id
from clinic_shared.db import insert_once, utcnow
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.orm import patient_refs


def patient_seen(patient_id: uuid.UUID) -> dict[str, Any]:
    """The reference to the patient an event names, to record unless it is known."""
    return {
        "patient_id": patient_id,
        "first_seen_at": utcnow(),
        "source_event_id": current_event_id(),
    }


async def remember_patient_id(uow: UnitOfWork, patient_id: uuid.UUID) -> None:
    """Know the patient's id (once, even when two events race); nothing else about them."""
    await insert_once(uow.session, patient_refs, patient_seen(patient_id))
