"""Scheduling's course events: whether a course still has sessions to come."""

from __future__ import annotations

import sqlalchemy as sa

from clinic_shared.contracts.events import CourseFacts
from clinic_shared.db import insert_once
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.orm_sessions import courses


async def record_course(event: CourseFacts, uow: UnitOfWork, status: str) -> None:
    """Know the course; a completed or abandoned one stays so whatever arrives after."""
    values = {
        "course_id": event.course_id,
        "treatment_code": event.treatment_code,
        "sessions_planned": event.sessions_planned,
        "status": status,
    }
    if not await insert_once(uow.session, courses, values) and status != "active":
        await uow.session.execute(
            sa.update(courses).where(courses.c.course_id == event.course_id).values(status=status)
        )
