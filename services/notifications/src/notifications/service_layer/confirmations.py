"""One confirmation per action: a course booked, or a session moved with the ones after it.

Scheduling's events of one action carry it (its id, when, how many sessions). Each event that
arrives brings the action's confirmation in line with the sessions the action booked or moved
as they stand here: one message per consented channel, keyed by the action, so a copy of an
event, or the rest of a batch arriving later, never makes a second one. It is held until the
whole action is here (a move, or a part arriving alone, waits a few minutes), and once it has
gone a late part changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clinic_shared.contracts.events import SessionFacts, SessionRescheduled
from notifications.domain.planning import (
    Booked,
    Confirmation,
    PlannedMessage,
    Reach,
    plan_confirmation,
)
from notifications.domain.policy import Policy
from notifications.service_layer.scope import Scope

EARLIER_EVENTS = uuid.UUID("5f0c6a52-3b8e-4d0e-9a61-0d2f3c9e7b14")
NOTHING_LEFT = "nothing left to confirm"


@dataclass(frozen=True)
class ActionRef:
    """The action an event belongs to, as its confirmation needs it (`at`, its time, keys the
    confirmation; its hold counts from the first of its events applied here, on the same clock
    as every other message)."""

    id: uuid.UUID
    at: datetime
    sessions: int
    moved: bool


def action_of(event: SessionFacts, occurred_at: datetime) -> ActionRef:
    """The event's action; an event from before actions is an action of its own (the same
    one for every copy of it)."""
    moved = isinstance(event, SessionRescheduled)
    if event.action is not None:
        return ActionRef(event.action.id, event.action.at, event.action.sessions, moved)
    name = f"{event.session_id}/{event.starts_at.isoformat()}/{occurred_at.isoformat()}"
    return ActionRef(uuid.uuid5(EARLIER_EVENTS, name), occurred_at, 1, moved)


async def confirm_action(
    scope: Scope,
    action: ActionRef,
    *,
    patient_id: uuid.UUID,
    course_id: uuid.UUID,
    planning: tuple[Reach, Policy],
) -> None:
    """Plan, re-plan or withdraw the action's confirmation from its sessions as they stand."""
    repo, now = scope.confirmations, scope.now
    await repo.lock(action.id)
    rows, held_since = await repo.sessions(action.id)
    reach, policy = planning
    plan = plan_confirmation(
        sessions=[
            Booked(r.session_id, r.starts_at, r.sequence, r.ends_at, r.revision)
            for r in rows
            if r.status == "booked"
        ],
        whole=len(rows) >= action.sessions,
        moved=action.moved,
        held_since=held_since or now,
        reach=reach,
        policy=policy,
        zone=scope.zone,
    )
    if plan is None:
        await repo.cancel(action.id, keep=(), reason=NOTHING_LEFT, now=now)
        return
    planned = [
        PlannedMessage(
            "confirmation",
            channel,
            0,
            action.at,
            plan.scheduled_for,
            plan.expires_at,
            plan.deferred_from,
        )
        for channel in plan.channels
    ]
    await repo.recall(action.id, now=now)
    await scope.messages.schedule_all(
        planned,
        patient_id=patient_id,
        subject_id=action.id,
        session_id=plan.sessions[0].session_id,
        course_id=course_id,
        context=_context(plan, action, rows[0]),
        now=now,
    )
    await repo.cancel(action.id, keep=plan.channels, reason="no consent", now=now)


async def reconfirm_course(
    scope: Scope,
    *,
    patient_id: uuid.UUID,
    course_id: uuid.UUID,
    done: uuid.UUID | None = None,
) -> None:
    """Bring the course's confirmations not sent yet in line with their sessions, after one
    was cancelled, moved by another action or renumbered (but `done`'s, just planned)."""
    actions = {row.subject_id: row for row in await scope.confirmations.unsent(course_id)}
    actions.pop(done, None)
    if not actions:
        return
    planning = await scope.contacts.reach_and_policy(patient_id)
    if planning is None:
        return
    for action_id in sorted(actions):  # one lock order for every consumer
        row = actions[action_id]
        action = ActionRef(
            action_id, row.anchor_at, row.context["action_sessions"], row.context["moved"]
        )
        await confirm_action(
            scope, action, patient_id=patient_id, course_id=course_id, planning=planning
        )


def _context(plan: Confirmation, action: ActionRef, first: Any) -> dict[str, Any]:
    """What the confirmation says (the next session first, then every one it lists), and
    what re-planning it needs."""
    listed = plan.sessions
    return {
        "action_sessions": action.sessions,
        "moved": action.moved,
        "sequence": listed[0].sequence,
        "sessions_planned": first.sessions_planned,
        "treatment_code": first.treatment_code,
        "starts_at": listed[0].starts_at.isoformat(),
        "sessions": [
            {
                "session_id": str(s.session_id),
                "sequence": s.sequence,
                "starts_at": s.starts_at.isoformat(),
                "ends_at": s.ends_at.isoformat() if s.ends_at else None,
                "revision": s.revision,
            }
            for s in listed
        ],
    }
