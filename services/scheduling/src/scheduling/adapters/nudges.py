"""SQL for the rebooking nudge: the courses waiting for a booking, and each nudge's claim."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from clinic_shared.db import insert_once
from clinic_shared.outbox import Repository
from scheduling.adapters.calendar import ACTIVE_VALUES
from scheduling.adapters.orm import courses, rebooking_nudges, sessions, treatments
from scheduling.domain.model import CourseStatus, SessionStatus


@dataclass(frozen=True)
class WaitingCourse:
    """An active course with sessions left and none booked ahead, with its last session."""

    id: uuid.UUID
    patient_id: uuid.UUID
    practitioner_id: uuid.UUID
    treatment_code: str
    sessions_planned: int
    last_start: datetime
    active_count: int
    min_interval_days: int
    max_interval_days: int


class NudgeRepository(Repository):
    async def waiting_for_a_booking(self, now: datetime) -> list[WaitingCourse]:
        """Active courses with sessions left, none of them booked from `now` on."""
        rows = await self._session.execute(_waiting_for_a_booking(now))
        return [WaitingCourse(**r._mapping) for r in rows]

    async def claim(self, course_id: uuid.UUID, window_closes_on: date, now: datetime) -> bool:
        """Record the course's nudge for the window; False when one was recorded already (by
        an earlier scan or another replica)."""
        claim = {"course_id": course_id, "window_closes_on": window_closes_on, "emitted_at": now}
        return await insert_once(self._session, rebooking_nudges, claim)


def _waiting_for_a_booking(now: datetime) -> sa.Select[tuple[object, ...]]:
    upcoming = sa.exists().where(
        sessions.c.course_id == courses.c.id,
        sessions.c.status.in_([SessionStatus.BOOKED.value, SessionStatus.CONFIRMED.value]),
        sessions.c.starts_at >= now,
    )
    active = (
        sa.select(
            sessions.c.course_id,
            sa.func.max(sessions.c.starts_at).label("last_start"),
            sa.func.count().label("active_count"),
        )
        .where(sessions.c.status.in_(ACTIVE_VALUES))
        .group_by(sessions.c.course_id)
        .subquery()
    )
    return (
        sa.select(
            courses.c.id,
            courses.c.patient_id,
            courses.c.practitioner_id,
            courses.c.treatment_code,
            courses.c.sessions_planned,
            active.c.last_start,
            active.c.active_count,
            # the course's prescribed interval, else its treatment's
            sa.func.coalesce(courses.c.min_interval_days, treatments.c.min_interval_days).label(
                "min_interval_days"
            ),
            sa.func.coalesce(courses.c.max_interval_days, treatments.c.max_interval_days).label(
                "max_interval_days"
            ),
        )
        .join(active, active.c.course_id == courses.c.id)
        .join(treatments, treatments.c.code == courses.c.treatment_code)
        .where(
            courses.c.status == CourseStatus.ACTIVE.value,
            active.c.active_count < courses.c.sessions_planned,
            ~upcoming,
        )
    )
