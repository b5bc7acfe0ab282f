"""SQL for courses, as far as the forecast needs them: which are still active."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from clinic_shared.db import insert_once
from clinic_shared.direct import Direct
from clinic_shared.outbox import Repository
from inventory.adapters.orm import courses

# Every booked session reads it, after the kit's shared lock: both are built once and sent on
# asyncpg itself (`clinic_shared.direct`; measured in `inventory.adapters.catalogue._kit_lock`).
_ADJUSTMENTS = Direct(
    sa.select(courses.c.kit_adjustments).where(
        courses.c.course_id == sa.bindparam("course_id", type_=courses.c.course_id.type)
    )
)


class CourseRepository(Repository):
    async def record(
        self, course_id: uuid.UUID, *, treatment_code: str, sessions_planned: int, status: str
    ) -> None:
        """Know the course; a completed or abandoned one stays so whatever arrives after."""
        values = {
            "course_id": course_id,
            "treatment_code": treatment_code,
            "sessions_planned": sessions_planned,
            "status": status,
        }
        if not await insert_once(self._session, courses, values) and status != "active":
            await self._session.execute(
                sa.update(courses).where(courses.c.course_id == course_id).values(status=status)
            )

    async def kit_adjustments(self, course_id: uuid.UUID) -> dict[str, int]:
        """The course's prescribed kit adjustments (none for a course not known here)."""
        found = await _ADJUSTMENTS.rows(self._session, {"course_id": course_id})
        return dict(found[0].kit_adjustments) if found else {}

    async def prescribe(
        self,
        course_id: uuid.UUID,
        *,
        treatment_code: str,
        sessions_planned: int,
        revision: int,
        kit_adjustments: dict[str, int],
    ) -> bool:
        """Record the course's prescription unless a newer one is known; True when it applied.

        The course's row stays locked to the commit, so two prescriptions of one course apply
        one after the other."""
        values = {
            "course_id": course_id,
            "treatment_code": treatment_code,
            "sessions_planned": sessions_planned,
            "status": "active",
            "kit_adjustments": kit_adjustments,
            "prescription_revision": revision,
        }
        if await insert_once(self._session, courses, values):
            return True
        result = await self._session.execute(
            sa.update(courses)
            .where(courses.c.course_id == course_id, courses.c.prescription_revision < revision)
            .values(
                kit_adjustments=kit_adjustments,
                prescription_revision=revision,
                sessions_planned=sessions_planned,
            )
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
