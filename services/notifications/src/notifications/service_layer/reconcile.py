"""Reconciling notifications' copy of scheduling's sessions with scheduling's current facts.

A session still to come that is missing here, moved, ended or renumbered there is repaired by
applying the owner's facts as of their version through the session events' own handler, so the
same newest-first guard (`source_occurred_at`) judges them and a repair never undoes a newer
state. Messages are keyed, so a repair plans no reminder twice.
"""

from __future__ import annotations

from clinic_shared.contracts.events import (
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
    SessionFacts,
    SessionNoShow,
    SessionRenumbered,
    SessionRescheduled,
)
from clinic_shared.contracts.sessions import SessionState
from clinic_shared.outbox.retry import committed
from clinic_shared.reconcile import DriftReport, OwnerSessions, reconcile_projection
from clinic_shared.runtime import ServiceRuntime
from notifications.adapters.reconcile import ProjectionRepository
from notifications.domain.errors import ContactNotYetKnown
from notifications.domain.reconcile import Projected, drift_of
from notifications.service_layer.scope import Scope, open_scope
from notifications.service_layer.sessions import on_session_event, on_session_renumbered


async def reconcile_sessions(
    runtime: ServiceRuntime, owner: OwnerSessions, report: DriftReport
) -> None:
    """Compare every session scheduling lists with the copy here; repair and count drift."""

    async def apply(state: SessionState) -> None:
        try:
            await committed(
                lambda: open_scope(runtime, now=state.version),
                lambda scope: apply_owner_facts(scope, state),
            )
        except ContactNotYetKnown:
            return  # no contact yet: the patient's registration will come; left unrepaired

    await reconcile_projection(
        owner, report, drifted=lambda states: drifted(runtime, states), apply=apply
    )


async def drifted(
    runtime: ServiceRuntime, states: list[SessionState]
) -> list[tuple[SessionState, str]]:
    """The sessions among `states` whose copy here differs from them, and how."""
    now = runtime.clock()
    async with open_scope(runtime) as scope:
        projected = await ProjectionRepository(scope.uow.session).projected(
            [s.session_id for s in states]
        )
    found: list[tuple[SessionState, str]] = []
    for state in states:
        kind = drift_of(
            projected.get(state.session_id),
            owner_status=state.status,
            owner_starts_at=state.starts_at,
            owner_sequence=state.sequence,
            now=now,
        )
        if kind is not None:
            found.append((state, kind))
    return found


async def apply_owner_facts(scope: Scope, state: SessionState) -> None:
    """Bring the session's copy, and its messages, to the owner's state as of its version
    (the scope's `now`): a renumbering alone changes only the number, so a session whose
    number drifted gets no second confirmation."""
    facts = state.facts()
    known = await ProjectionRepository(scope.uow.session).projected([state.session_id])
    copy = known.get(state.session_id)
    kind = drift_of(
        copy,
        owner_status=state.status,
        owner_starts_at=state.starts_at,
        owner_sequence=state.sequence,
        now=scope.now,
    )
    if kind == "renumbered" and copy is not None:
        renumbered = SessionRenumbered.model_validate(facts | {"previous_sequence": copy.sequence})
        await on_session_renumbered(renumbered, scope)
    elif kind is not None:
        await on_session_event(_event(state, facts, copy), scope)


def _event(state: SessionState, facts: dict[str, object], copy: Projected | None) -> SessionFacts:
    """The event that brings the copy to the owner's state."""
    if state.status == "cancelled":
        return SessionCancelled.model_validate(facts)
    if state.status == "no_show":
        return SessionNoShow.model_validate(facts)
    if state.status == "completed":
        return SessionCompleted.model_validate(facts | {"products_used": state.products_used})
    if copy is not None and copy.starts_at != state.starts_at:
        return SessionRescheduled.model_validate(facts | {"previous_starts_at": copy.starts_at})
    return SessionBooked.model_validate(facts)
