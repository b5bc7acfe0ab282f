"""Reservations per session, and which lots went into which patients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from clinic_shared.errors import NotFound, Unprocessable
from inventory.service_layer.scope import Scope


async def reservation_lines(scope: Scope, session_id: uuid.UUID) -> list[dict[str, Any]]:
    """The session's reservation lines by lot, and a `short` line per product it lacks."""
    if not await scope.trace.session_known(session_id):
        raise NotFound(f"Inventory has not heard of session {session_id}.")
    return await scope.trace.reservation_lines(session_id)


MAX_RESERVATION_DAYS = 31


async def booked_reservations(
    scope: Scope, first_day: date, last_day: date
) -> list[dict[str, Any]]:
    """What the booked sessions of `first_day` to `last_day` hold and lack, session by session
    (at most `MAX_RESERVATION_DAYS` days: a page of the stock view, not an export)."""
    if last_day < first_day:
        problem = [{"field": "query.to_day", "reason": "must not be before from_day"}]
        raise Unprocessable("The last day comes before the first.", errors=problem)
    if (last_day - first_day).days >= MAX_RESERVATION_DAYS:
        reason = f"at most {MAX_RESERVATION_DAYS} days from from_day"
        raise Unprocessable(
            "Too many days at once.", errors=[{"field": "query.to_day", "reason": reason}]
        )
    return await scope.trace.booked_lines(first_day, last_day)


async def shortages_per_product(scope: Scope) -> dict[str, tuple[int, int, date]]:
    """Per product code, what booked sessions lack now: (sessions, vials, the first day)."""
    return await scope.trace.shortage_totals()


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
