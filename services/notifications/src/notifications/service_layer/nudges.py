"""The rebooking nudge: when a course's next session is due but not booked."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from clinic_shared.contracts.events import CourseRebookingDue
from clinic_shared.outbox import UnitOfWork
from notifications.adapters.messages import MessageRepository
from notifications.domain.planning import plan_nudge
from notifications.service_layer.sessions import reach_and_policy


async def on_rebooking_due(event: CourseRebookingDue, uow: UnitOfWork, *, zone: ZoneInfo) -> None:
    """Nudge the patient to book the course's next session before its window closes."""
    now = uow.occurred_at
    reach, policy = await reach_and_policy(uow, event.patient_id)
    planned = plan_nudge(
        next_sequence=event.next_sequence,
        window_closes_on=event.window_closes_on,
        reach=reach,
        policy=policy,
        zone=zone,
        now=now,
    )
    if planned is None:
        return
    await MessageRepository(uow.session).schedule_all(
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
        now=now,
    )
