"""The rebooking nudge: a course whose next window is closing with nothing booked, once a window."""

from __future__ import annotations

from datetime import timedelta

from clinic_shared.contracts.events import CourseRebookingDue
from scheduling.domain import rules
from scheduling.service_layer.scope import Scope


async def emit_due_nudges(scope: Scope, lead_days: int) -> int:
    """Emit `scheduling.course.rebooking_due` for each course due now; how many were emitted."""
    clinic = scope.clinic
    today = clinic.now.astimezone(clinic.zone).date()
    emitted = 0
    for course in await scope.nudges.waiting_for_a_booking(clinic.now):
        last_day = rules.local_day(course.last_start, clinic.zone)
        opens = last_day + timedelta(days=course.min_interval_days)
        closes = last_day + timedelta(days=course.max_interval_days)
        if not closes - timedelta(days=lead_days) <= today <= closes:
            continue
        if await scope.nudges.claim(course.id, closes, clinic.now):
            scope.uow.emit(
                CourseRebookingDue(
                    course_id=course.id,
                    patient_id=course.patient_id,
                    practitioner_id=course.practitioner_id,
                    treatment_code=course.treatment_code,
                    sessions_planned=course.sessions_planned,
                    next_sequence=course.active_count + 1,
                    window_opens_on=opens,
                    window_closes_on=closes,
                )
            )
            emitted += 1
    return emitted
