"""Reservations per session, and which lots went into which patients."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from clinic_shared.errors import NotFound, Unprocessable
from inventory.adapters.trace_repository import TraceRepository
from inventory.entrypoints.api.deps import Reader, UowDep
from inventory.entrypoints.api.trace_schemas import (
    BookedWithLot,
    ConsumptionPublic,
    ReservationLine,
    Traceability,
)

router = APIRouter(prefix="/v1", tags=["traceability"])


@router.get("/reservations", response_model=list[ReservationLine])
async def list_reservations(session_id: uuid.UUID, uow: UowDep, _: Reader) -> list[ReservationLine]:
    """The session's reservation lines by lot, and a `short` line per product it lacks."""
    repo = TraceRepository(uow.session)
    if not await repo.session_known(session_id):
        raise NotFound(f"Inventory has not heard of session {session_id}.")
    return [ReservationLine(**line) for line in await repo.reservation_lines(session_id)]


@router.get("/traceability", response_model=Traceability)
async def trace(
    uow: UowDep,
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
    repo = TraceRepository(uow.session)
    if lot_number is not None:
        used = await repo.consumptions(lot_number=lot_number)
        booked = await repo.booked_with_lot(await repo.lot_ids_numbered(lot_number))
    else:
        used, booked = await repo.consumptions(patient_id=patient_id), []
    return Traceability(
        lot_number=lot_number,
        patient_id=patient_id,
        patient_ids=sorted({u["patient_id"] for u in used}, key=str),
        consumptions=[ConsumptionPublic(**u) for u in used],
        booked_sessions=[BookedWithLot(**b) for b in booked],
    )
