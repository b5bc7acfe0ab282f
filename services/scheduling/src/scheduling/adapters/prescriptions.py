"""SQL for prescriptions, practitioners' overrides and patients' conditions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from clinic_shared.outbox import Repository
from scheduling.adapters.orm import course_overrides, courses, patient_conditions, prescriptions
from scheduling.domain.prescriptions import Conditions, Override, Prescription


@dataclass(frozen=True)
class Revision:
    revision: int
    prescription: Prescription
    prescribed_by: str
    prescribed_at: datetime


class PrescriptionRepository(Repository):
    async def record(
        self,
        course_id: uuid.UUID,
        revision: int,
        prescription: Prescription,
        *,
        by: str,
        at: datetime,
    ) -> None:
        """Make `prescription` the course's, as revision `revision`, kept in its history."""
        values = {
            "sessions_planned": prescription.sessions_planned,
            "min_interval_days": prescription.min_interval_days,
            "max_interval_days": prescription.max_interval_days,
            "kit_adjustments": dict(prescription.kit_adjustments),
        }
        await self._session.execute(
            sa.insert(prescriptions).values(
                course_id=course_id,
                revision=revision,
                prescribed_by=by,
                prescribed_at=at,
                **values,
            )
        )
        await self._session.execute(
            sa.update(courses)
            .where(courses.c.id == course_id)
            .values(prescription_revision=revision, prescribed_by=by, prescribed_at=at, **values)
        )

    async def history(self, course_id: uuid.UUID) -> list[Revision]:
        rows = await self._session.execute(
            sa.select(prescriptions)
            .where(prescriptions.c.course_id == course_id)
            .order_by(prescriptions.c.revision)
        )
        return [
            Revision(
                revision=r.revision,
                prescription=Prescription(
                    r.sessions_planned, r.min_interval_days, r.max_interval_days, r.kit_adjustments
                ),
                prescribed_by=r.prescribed_by,
                prescribed_at=r.prescribed_at,
            )
            for r in rows
        ]

    async def overrides(self, course_id: uuid.UUID) -> dict[str, Override]:
        rows = await self._session.execute(
            sa.select(course_overrides).where(course_overrides.c.course_id == course_id)
        )
        return {r.rule: Override(r.rule, r.reason, r.overridden_by, r.overridden_at) for r in rows}

    async def override(self, course_id: uuid.UUID, override: Override) -> None:
        """Record the override; a second one of the same rule replaces the first."""
        values = {
            "reason": override.reason,
            "overridden_by": override.overridden_by,
            "overridden_at": override.overridden_at,
        }
        await self._session.execute(
            postgresql.insert(course_overrides)
            .values(course_id=course_id, rule=override.rule, **values)
            .on_conflict_do_update(index_elements=["course_id", "rule"], set_=values)
        )

    async def conditions(self, patient_id: uuid.UUID) -> Conditions:
        row = (
            await self._session.execute(
                sa.select(patient_conditions).where(patient_conditions.c.patient_id == patient_id)
            )
        ).one_or_none()
        if row is None:
            return Conditions([], [])
        return Conditions(row.allergies, row.contraindications, row.recorded_by, row.recorded_at)

    async def set_conditions(self, patient_id: uuid.UUID, conditions: Conditions) -> None:
        values = {
            "allergies": conditions.allergies,
            "contraindications": conditions.contraindications,
            "recorded_by": conditions.recorded_by,
            "recorded_at": conditions.recorded_at,
        }
        await self._session.execute(
            postgresql.insert(patient_conditions)
            .values(patient_id=patient_id, **values)
            .on_conflict_do_update(index_elements=["patient_id"], set_=values)
        )

    async def forget_conditions(self, patient_id: uuid.UUID) -> None:
        await self._session.execute(
            sa.delete(patient_conditions).where(patient_conditions.c.patient_id == patient_id)
        )
