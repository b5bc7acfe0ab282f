"""Reservations per session, and which lots went into which patients."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from clinic_shared.errors import Unprocessable
from clinic_shared.fields import Day
from inventory.entrypoints.api.deps import Reader, ScopeDep
from inventory.entrypoints.api.trace_schemas import (
    BookedReservationLine,
    BookedWithLot,
    ConsumptionPublic,
    ReservationLine,
    Traceability,
)
from inventory.service_layer import traceability

router = APIRouter(prefix="/v1", tags=["traceability"])


@router.get("/reservations", response_model=list[ReservationLine | BookedReservationLine])
async def list_reservations(
    scope: ScopeDep,
    _: Reader,
    session_id: uuid.UUID | None = None,
    from_day: Day | None = None,
    to_day: Day | None = None,
) -> list[ReservationLine]:
    """With `session_id`: the session's reservation lines by lot, and a `short` line per product
    it lacks. With `from_day` (and `to_day`, the same day if not given, 31 days at most): what
    each booked session of those days holds and lacks, with its session, as they start."""
    if (session_id is None) == (from_day is None):
        reason = "exactly one of session_id, from_day"
        problem = [{"field": "query.session_id", "reason": reason}]
        raise Unprocessable("Give exactly one of session_id and from_day.", errors=problem)
    if session_id is not None:
        lines = await traceability.reservation_lines(scope, session_id)
        return [ReservationLine(**line) for line in lines]
    assert from_day is not None
    booked = await traceability.booked_reservations(scope, from_day, to_day or from_day)
    return [BookedReservationLine(**line) for line in booked]


@router.get("/traceability", response_model=Traceability)
async def trace(
    scope: ScopeDep,
    _: Reader,
    lot_number: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    patient_id: uuid.UUID | None = None,
) -> Traceability:
    """Patients and sessions for a lot number, or the lots one patient received."""
    if (lot_number is None) == (patient_id is None):
        raise Unprocessable(
            "Give exactly one of lot_number and patient_id.",
            errors=[
                {"field": "query.lot_number", "reason": "exactly one of lot_number, patient_id"}
            ],
        )
    found = await traceability.trace(scope, lot_number=lot_number, patient_id=patient_id)
    return Traceability(
        lot_number=lot_number,
        patient_id=patient_id,
        patient_ids=found.patient_ids,
        consumptions=[ConsumptionPublic(**u) for u in found.consumptions],
        booked_sessions=[BookedWithLot(**b) for b in found.booked_sessions],
    )
