"""Reservations per session, and which lots went into which patients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from clinic_shared.errors import NotFound
from inventory.service_layer.scope import Scope


async def reservation_lines(scope: Scope, session_id: uuid.UUID) -> list[dict[str, Any]]:
    """The session's reservation lines by lot, and a `short` line per product it lacks."""
    if not await scope.trace.session_known(session_id):
        raise NotFound(f"Inventory has not heard of session {session_id}.")
    return await scope.trace.reservation_lines(session_id)


@dataclass(frozen=True)
class Trace:
    consumptions: list[dict[str, Any]]
    booked_sessions: list[dict[str, Any]]

    @property
    def patient_ids(self) -> list[uuid.UUID]:
        return sorted({u["patient_id"] for u in self.consumptions}, key=str)


async def trace(
    scope: Scope, *, lot_number: str | None = None, patient_id: uuid.UUID | None = None
) -> Trace:
    """The lots used and sessions booked with a lot number (in any case), or the lots one
    patient received."""
    repo = scope.trace
    if lot_number is not None:
        used = await repo.consumptions(lot_number=lot_number)
        return Trace(used, await repo.booked_with_lot(await repo.lot_ids_numbered(lot_number)))
    return Trace(await repo.consumptions(patient_id=patient_id), [])
