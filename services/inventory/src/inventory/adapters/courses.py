"""SQL for courses, as far as the forecast needs them: which are still active."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from clinic_shared.db import insert_once
from clinic_shared.outbox import Repository
from inventory.adapters.orm import courses


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
