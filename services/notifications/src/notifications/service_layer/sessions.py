"""Reactions to scheduling's session and course events: plan, move and cancel messages."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clinic_shared.contracts.events import (
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
    SessionDisplaced,
    SessionFacts,
    SessionNoShow,
    SessionRenumbered,
    SessionRescheduled,
)
from notifications.domain.errors import ContactNotYetKnown, SessionNotYetKnown
from notifications.domain.planning import (
    PlannedMessage,
    Reach,
    plan_aftercare,
    plan_cancellation,
    plan_displaced,
    plan_reminders,
)
from notifications.domain.policy import Policy
from notifications.service_layer.confirmations import (
    action_of,
    confirm_action,
    reconfirm_course,
)
from notifications.service_layer.scope import Scope

log = logging.getLogger(__name__)

STATUS_BY_TYPE = {
    SessionBooked.TYPE: "booked",
    SessionRescheduled.TYPE: "booked",
    SessionCancelled.TYPE: "cancelled",
    SessionNoShow.TYPE: "no_show",
    SessionCompleted.TYPE: "completed",
}
BEFORE_SESSION = ("confirmation", "reminder", "displaced")


async def reach_and_policy(scope: Scope, patient_id: uuid.UUID) -> tuple[Reach, Policy]:
    """How the patient may be reached, and the policy to plan with."""
    found = await scope.contacts.reach_and_policy(patient_id)
    if found is None:
        raise ContactNotYetKnown(f"no contact yet for patient {patient_id}")
    return found


def session_context(event: SessionFacts, numbers: Any) -> dict[str, Any]:
    """The event's facts, with the session's number as stored (a renumbering may be newer)."""
    return {
        "sequence": numbers.sequence,
        "sessions_planned": numbers.sessions_planned,
        "treatment_code": event.treatment_code,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "revision": event.revision,
    }


async def on_session_event(event: SessionFacts, scope: Scope) -> None:
    """Bring the session's messages in line with its newest state; older events change nothing."""
    now, zone = scope.now, scope.zone
    status = STATUS_BY_TYPE[event.TYPE]
    action = action_of(event, now)
    values = {
        "session_id": event.session_id,
        "course_id": event.course_id,
        "patient_id": event.patient_id,
        "practitioner_id": event.practitioner_id,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "revision": event.revision,
        "status": status,
        "sequence": event.sequence,
        "sessions_planned": event.sessions_planned,
        "treatment_code": event.treatment_code,
        "source_occurred_at": now,
    }
    sessions = scope.sessions
    if status != "booked":
        recorded = await sessions.record_if_newer(values)
    else:
        recorded, planning = await sessions.record_booked_if_newer(
            values | {"action_id": action.id}
        )
    if not recorded:
        log.info("stale session event ignored", extra={"session_id": str(event.session_id)})
        return
    repo = scope.messages
    context = session_context(event, recorded)
    if status != "booked":
        await repo.cancel_pending(event.session_id, kinds=BEFORE_SESSION, now=now)
        await reconfirm_course(scope, patient_id=event.patient_id, course_id=event.course_id)
        await _after_session(event, scope, context, status=status)
        return
    if planning is None:
        raise ContactNotYetKnown(f"no contact yet for patient {event.patient_id}")
    reach, policy = planning
    if not recorded.inserted:  # a session new here has no messages to cancel
        await repo.cancel_pending(
            event.session_id, kinds=BEFORE_SESSION, now=now, except_anchor=event.starts_at
        )
    reminders = plan_reminders(
        starts_at=event.starts_at, reach=reach, policy=policy, zone=zone, now=now
    )
    await _schedule_for_session(scope, reminders, event, context, now)
    ids = {"patient_id": event.patient_id, "course_id": event.course_id}
    await confirm_action(scope, action, **ids, planning=planning)
    if not recorded.inserted:  # moved from another action's confirmation, maybe
        await reconfirm_course(scope, **ids, done=action.id)


async def on_session_renumbered(event: SessionRenumbered, scope: Scope) -> None:
    """Give the session and its unsent messages the new number; older events change nothing."""
    now = scope.now
    repo = scope.sessions
    recorded = await repo.renumber_if_newer(
        event.session_id,
        sequence=event.sequence,
        sessions_planned=event.sessions_planned,
        practitioner_id=event.practitioner_id,
        occurred_at=now,
    )
    if not recorded:
        if not await repo.known(event.session_id):
            raise SessionNotYetKnown(f"no booking yet for session {event.session_id}")
        log.info("stale session event ignored", extra={"session_id": str(event.session_id)})
        return
    numbers = {"sequence": event.sequence, "sessions_planned": event.sessions_planned}
    await scope.messages.update_pending_context(event.session_id, numbers, now=now)
    await reconfirm_course(scope, patient_id=event.patient_id, course_id=event.course_id)


async def on_session_displaced(event: SessionDisplaced, scope: Scope) -> None:
    """Tell the patient that time off or a closure displaced the session, with their link to
    pick a new time, while it is still booked here at that time (a move or a cancel applied
    first leaves nothing to say). A copy of the event plans nothing more: one message per
    session, kind, anchor and channel."""
    found = await scope.sessions.booked_not_started(event.session_id, after=scope.now)
    if found is None:
        if not await scope.sessions.known(event.session_id):
            raise SessionNotYetKnown(f"no booking yet for session {event.session_id}")
        return
    if found.starts_at != event.starts_at:
        return
    reach, policy = await reach_and_policy(scope, event.patient_id)
    planned = plan_displaced(
        starts_at=event.starts_at, reach=reach, policy=policy, zone=scope.zone, now=scope.now
    )
    await _schedule_for_session(scope, planned, event, session_context(event, found), scope.now)


async def _after_session(
    event: SessionFacts, scope: Scope, context: dict[str, Any], *, status: str
) -> None:
    """After-care of a completed session. A notice of a cancelled one, by every consented
    channel, if a message told the patient of it: none for one they never heard of."""
    if status not in ("completed", "cancelled"):
        return
    if status == "cancelled" and not await scope.confirmations.told_of(
        event.session_id, event.course_id
    ):
        return
    reach, policy = await reach_and_policy(scope, event.patient_id)
    planner = plan_cancellation if status == "cancelled" else _aftercare
    now = scope.now
    planned = planner(
        starts_at=event.starts_at, reach=reach, policy=policy, zone=scope.zone, now=now
    )
    await _schedule_for_session(scope, planned, event, context, now)


def _aftercare(
    *, starts_at: datetime, reach: Reach, policy: Policy, zone: ZoneInfo, now: datetime
) -> list[PlannedMessage]:
    planned = plan_aftercare(starts_at=starts_at, reach=reach, policy=policy, zone=zone, now=now)
    return [planned] if planned is not None else []


async def _schedule_for_session(
    scope: Scope,
    planned: Sequence[PlannedMessage],
    event: SessionFacts,
    context: dict[str, Any],
    now: datetime,
) -> None:
    await scope.messages.schedule_all(
        planned,
        patient_id=event.patient_id,
        subject_id=event.session_id,
        session_id=event.session_id,
        course_id=event.course_id,
        context=context,
        now=now,
    )
