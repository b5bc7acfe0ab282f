"""A freed slot offered to a waitlisted patient: a message by each consented channel."""

from __future__ import annotations

from clinic_shared.contracts.events import WaitlistOffered
from notifications.domain.planning import plan_waitlist_offer
from notifications.service_layer.scope import Scope
from notifications.service_layer.sessions import reach_and_policy


async def on_waitlist_offered(event: WaitlistOffered, scope: Scope) -> None:
    """Tell the patient of the slot, with the offer's link, before the offer expires."""
    reach, policy = await reach_and_policy(scope, event.patient_id)
    planned = plan_waitlist_offer(
        expires_at=event.expires_at, reach=reach, policy=policy, zone=scope.zone, now=scope.now
    )
    await scope.messages.schedule_all(
        planned,
        patient_id=event.patient_id,
        subject_id=event.offer_id,
        session_id=None,
        course_id=event.course_id,
        context={
            "offer_id": str(event.offer_id),
            "treatment_code": event.treatment_code,
            "starts_at": event.starts_at.isoformat(),
            "expires_at": event.expires_at.isoformat(),
        },
        now=scope.now,
    )
