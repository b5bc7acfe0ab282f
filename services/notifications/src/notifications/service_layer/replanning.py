"""Re-planning the reminders of upcoming sessions: after a START reply, after a policy change."""

from __future__ import annotations

import uuid
from typing import Any

from notifications.domain.planning import plan_reminders
from notifications.domain.policy import Channel
from notifications.service_layer.scope import Scope


async def replan_reminders(
    scope: Scope,
    *,
    patient_ids: list[uuid.UUID] | None = None,
    channel: Channel | None = None,
    drop_others: bool = False,
) -> None:
    """Plan the policy's reminders still ahead for booked sessions (of `patient_ids`, by
    `channel`, when given). Existing keys are kept or moved, cancelled ones revived; with
    `drop_others`, scheduled reminders the policy no longer has are cancelled."""
    now = scope.now
    policy = await scope.policy.get()
    for session in await scope.sessions.upcoming_booked(patient_ids, after=now):
        reach = await scope.contacts.reach(session.patient_id)
        if reach is None:
            continue
        planned = [
            message
            for message in plan_reminders(
                starts_at=session.starts_at, reach=reach, policy=policy, zone=scope.zone, now=now
            )
            if channel in (None, message.channel)
        ]
        if drop_others:
            keep: set[tuple[int, str]] = {(m.offset_minutes, m.channel) for m in planned}
            await scope.messages.cancel_reminders_except(session.session_id, keep, now=now)
        await scope.messages.schedule_all(
            planned,
            patient_id=session.patient_id,
            subject_id=session.session_id,
            session_id=session.session_id,
            course_id=session.course_id,
            context=_context(session),
            now=now,
        )


def _context(session: Any) -> dict[str, Any]:
    return {
        "sequence": session.sequence,
        "sessions_planned": session.sessions_planned,
        "treatment_code": session.treatment_code,
        "starts_at": session.starts_at.isoformat(),
    }
