"""The rebooking nudge: a course whose next window is closing with nothing booked, once a window."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import sqlalchemy as sa

from clinic_shared.contracts.events import CourseRebookingDue
from clinic_shared.db import insert_once
from clinic_shared.runtime import ServiceRuntime, Worker
from scheduling.adapters.calendar import ACTIVE_VALUES
from scheduling.adapters.orm import courses, rebooking_nudges, sessions, treatments
from scheduling.domain import rules
from scheduling.domain.model import CourseStatus, SessionStatus
from scheduling.service_layer.context import Clinic

log = logging.getLogger(__name__)


async def emit_due_nudges(runtime: ServiceRuntime, clinic: Clinic, lead_days: int) -> int:
    """Emit `scheduling.course.rebooking_due` for each course due now; how many were emitted."""
    today = clinic.now.astimezone(clinic.zone).date()
    emitted = 0
    async with runtime.uow() as uow:
        candidates = await uow.session.execute(_courses_waiting_for_a_booking(clinic))
        for row in candidates:
            last_day = rules.local_day(row.last_start, clinic.zone)
            opens = last_day + timedelta(days=row.min_interval_days)
            closes = last_day + timedelta(days=row.max_interval_days)
            if not closes - timedelta(days=lead_days) <= today <= closes:
                continue
            claim = {"course_id": row.id, "window_closes_on": closes, "emitted_at": clinic.now}
            if await insert_once(uow.session, rebooking_nudges, claim):
                uow.emit(
                    CourseRebookingDue(
                        course_id=row.id,
                        patient_id=row.patient_id,
                        practitioner_id=row.practitioner_id,
                        treatment_code=row.treatment_code,
                        sessions_planned=row.sessions_planned,
                        next_sequence=row.active_count + 1,
                        window_opens_on=opens,
                        window_closes_on=closes,
                    )
                )
                emitted += 1
        await uow.commit()
    return emitted


def _courses_waiting_for_a_booking(clinic: Clinic) -> sa.Select[tuple[object, ...]]:
    """Active courses with sessions left, none of them booked ahead, and their last session."""
    upcoming = sa.exists().where(
        sessions.c.course_id == courses.c.id,
        sessions.c.status.in_([SessionStatus.BOOKED.value, SessionStatus.CONFIRMED.value]),
        sessions.c.starts_at >= clinic.now,
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
            treatments.c.min_interval_days,
            treatments.c.max_interval_days,
        )
        .join(active, active.c.course_id == courses.c.id)
        .join(treatments, treatments.c.code == courses.c.treatment_code)
        .where(
            courses.c.status == CourseStatus.ACTIVE.value,
            active.c.active_count < courses.c.sessions_planned,
            ~upcoming,
        )
    )


def nudge_worker(interval_seconds: float, lead_days: int) -> Worker:
    async def run(runtime: ServiceRuntime) -> None:
        while True:
            try:
                clinic = Clinic(zone=runtime.settings.zone, now=runtime.clock())
                await emit_due_nudges(runtime, clinic, lead_days)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("rebooking nudge scan failed")
            if not await runtime.idle(interval_seconds):
                return

    return run
