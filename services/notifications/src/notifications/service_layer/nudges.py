"""The rebooking nudge: when a course's next session is due but not booked."""

from __future__ import annotations

from clinic_shared.contracts.events import CourseRebookingDue
from notifications.domain.planning import plan_nudge
from notifications.service_layer.scope import Scope
from notifications.service_layer.sessions import reach_and_policy


async def on_rebooking_due(event: CourseRebookingDue, scope: Scope) -> None:
    """Nudge the patient to book the course's next session before its window closes."""
    reach, policy = await reach_and_policy(scope, event.patient_id)
    planned = plan_nudge(
        next_sequence=event.next_sequence,
        window_closes_on=event.window_closes_on,
        reach=reach,
        policy=policy,
        zone=scope.zone,
        now=scope.now,
    )
    if planned is None:
        return
    await scope.messages.schedule_all(
        [planned],
        patient_id=event.patient_id,
        subject_id=event.course_id,
        session_id=None,
        course_id=event.course_id,
        context={
            "sequence": event.next_sequence,
            "sessions_planned": event.sessions_planned,
            "treatment_code": event.treatment_code,
            "window_closes_on": event.window_closes_on.isoformat(),
        },
        now=scope.now,
    )
