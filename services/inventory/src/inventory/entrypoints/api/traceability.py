"""Reservations per session, and which lots went into which patients."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from clinic_shared.errors import Unprocessable
from inventory.entrypoints.api.deps import Reader, ScopeDep
from inventory.entrypoints.api.trace_schemas import (
    BookedWithLot,
    ConsumptionPublic,
    ReservationLine,
    Traceability,
)
from inventory.service_layer import traceability

router = APIRouter(prefix="/v1", tags=["traceability"])


@router.get("/reservations", response_model=list[ReservationLine])
async def list_reservations(
    session_id: uuid.UUID, scope: ScopeDep, _: Reader
) -> list[ReservationLine]:
    """The session's reservation lines by lot, and a `short` line per product it lacks."""
    lines = await traceability.reservation_lines(scope, session_id)
    return [ReservationLine(**line) for line in lines]


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
