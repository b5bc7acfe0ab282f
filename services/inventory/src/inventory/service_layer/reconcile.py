"""Reconciling inventory's copy of scheduling's sessions with scheduling's current facts.

Each session of scheduling's list is compared with the copy here (`domain.reconcile.drift_of`);
a drifted one is repaired by applying the owner's facts as of their version, through the same
handlers and newest-first guards as scheduling's events: a repair can never undo a newer state.
A session counts as repaired when, read again, it no longer drifts
(`clinic_shared.reconcile.reconcile_projection`).
"""

from __future__ import annotations

from collections import Counter

from clinic_shared.contracts.events import (
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
    SessionNoShow,
    SessionRescheduled,
)
from clinic_shared.contracts.sessions import SessionState
from clinic_shared.db import utcnow
from clinic_shared.outbox.retry import committed
from clinic_shared.reconcile import DriftReport, OwnerSessions, reconcile_projection
from clinic_shared.runtime import ServiceRuntime
from inventory.adapters.reconcile import ProjectionRepository
from inventory.domain.reconcile import drift_of
from inventory.service_layer.completion import consume_for_completed_session
from inventory.service_layer.reserving import (
    announce,
    fill_kit,
    fill_shortages,
    release,
    reserve_for_booked_session,
    settle_after_commit,
)
from inventory.service_layer.scope import Scope, open_scope
from inventory.service_layer.session_events import move_reservations, release_for_ended_session


async def reconcile_sessions(
    runtime: ServiceRuntime, owner: OwnerSessions, report: DriftReport
) -> None:
    """Compare every session scheduling lists with the copy here; repair and count drift."""

    async def apply(state: SessionState) -> None:
        await committed(lambda: open_scope(runtime), lambda scope: apply_owner_facts(scope, state))

    await reconcile_projection(
        owner, report, drifted=lambda states: drifted(runtime, states), apply=apply
    )


async def drifted(
    runtime: ServiceRuntime, states: list[SessionState]
) -> list[tuple[SessionState, str]]:
    """The sessions among `states` whose copy here differs from them, and how."""
    async with open_scope(runtime) as scope:
        repo = ProjectionRepository(scope.uow.session)
        projected = await repo.projected([s.session_id for s in states])
        kits = await repo.kits()
    found: list[tuple[SessionState, str]] = []
    for state in states:
        kind = drift_of(
            projected.get(state.session_id),
            owner_status=state.status,
            owner_starts_at=state.starts_at,
            owner_sequence=state.sequence,
            kit=kits.get(state.treatment_code, {}),
        )
        if kind is not None:
            found.append((state, kind))
    return found


async def apply_owner_facts(scope: Scope, state: SessionState) -> None:
    """Bring the session's copy to the owner's state, as of its version."""
    scope.uow.applying_as_of = state.version
    facts = state.facts()
    found = await scope.sessions.get(state.session_id)
    if state.status in ("cancelled", "no_show"):
        event = (SessionCancelled if state.status == "cancelled" else SessionNoShow)(**facts)
        await release_for_ended_session(event, scope, state.status)
    elif state.status == "completed":
        await consume_for_completed_session(
            SessionCompleted(**facts, products_used=state.products_used), scope
        )
    elif found is None:
        await reserve_for_booked_session(SessionBooked(**facts), scope)
    elif found.starts_at != state.starts_at:
        moved = SessionRescheduled(**facts, previous_starts_at=found.starts_at)
        await move_reservations(moved, scope)
    else:
        await refit_kit(scope, state)
    if state.sequence > 0:
        await scope.sessions.renumber(state.session_id, state.sequence, state.version)


async def refit_kit(scope: Scope, state: SessionState) -> None:
    """Make a booked session hold its treatment's kit as it is now: give back the vials of
    products it no longer uses (or beyond the kit's count), reserve or mark short the rest."""
    booked = await scope.sessions.get(state.session_id, lock=True)
    # The kit is inventory's own; scheduling's version orders only the session's facts, which
    # must still be the ones compared (booked, at this time) now that the row is locked.
    if booked is None or not booked.holds_stock or booked.starts_at != state.starts_at:
        return
    kit = {line.product_code: line.quantity for line in await scope.kits.get(booked.treatment_code)}
    held = await scope.sessions.reservations(booked.session_id)
    holding = Counter[str]()
    for reservation in held:
        holding[reservation.product_code] += reservation.quantity
    beyond = [r for r in held if holding[r.product_code] > kit.get(r.product_code, 0)]
    freed = await release(scope, beyond)
    for product in (await scope.sessions.shortages(booked.session_id)).keys() - kit.keys():
        await scope.sessions.set_shortage(booked.session_id, product, 0)
    now = utcnow()
    short = await fill_kit(scope, booked, now)
    await announce(scope, booked, short)
    settle_after_commit(scope, set(short))
    await fill_shortages(scope, freed, now)
