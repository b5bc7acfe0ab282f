"""SQL for patients, known by id only: enough to trace a lot to the patients treated with it."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from clinic_shared.context import current_event_id
from clinic_shared.db import insert_once, utcnow
from clinic_shared.outbox import Repository
from inventory.adapters.orm import patient_refs


class PatientRepository(Repository):
    async def remember(self, patient_id: uuid.UUID) -> None:
        """Know the patient's id (once, even when two events race), with the event naming it."""
        values = {
            "patient_id": patient_id,
            "first_seen_at": utcnow(),
            "source_event_id": current_event_id(),
        }
        await insert_once(self._session, patient_refs, values)

    async def first_seen_at(self, patient_id: uuid.UUID) -> datetime | None:
        """When inventory first heard of the patient; None when it never has."""
        return await self._session.scalar(
            sa.select(patient_refs.c.first_seen_at).where(patient_refs.c.patient_id == patient_id)
        )
