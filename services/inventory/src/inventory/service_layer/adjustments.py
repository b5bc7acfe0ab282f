"""Adjusting and recalling lots: stock never negative, reservations moved or made shortages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from clinic_shared.contracts.events import LotRecalled
from clinic_shared.errors import Conflict, NotFound
from inventory.domain.adjustments import AdjustmentKind, adjusted_quantity, reserved_allowed
from inventory.domain.lots import Lot
from inventory.service_layer.displacement import displace, refill
from inventory.service_layer.reserving import fill_shortages
from inventory.service_layer.scans import review_reorders_after_commit
from inventory.service_layer.scope import Scope


@dataclass(frozen=True)
class AdjustLot:
    lot_id: uuid.UUID
    kind: AdjustmentKind
    quantity: int
    reason: str


async def locked_lot(
    scope: Scope, lot_id: uuid.UUID, field: str, *, waiting_first: bool = False
) -> Lot:
    """The lot, its row held until commit; NotFound naming the request field otherwise.

    `waiting_first` locks the sessions short of its product before it, the order session
    handlers lock in (session, then lots), for a change that will hand them vials.
    """
    repo = scope.lots
    lot = await repo.get(lot_id)
    if lot is None:
        raise NotFound(f"No lot {lot_id}.", errors=[{"field": field, "reason": "unknown lot"}])
    if waiting_first:
        await scope.sessions.short_of({lot.product_code})
    locked = await repo.get(lot_id, lock=True)
    assert locked is not None
    return locked


async def adjust_lot(scope: Scope, cmd: AdjustLot, *, now: datetime, by: str) -> Lot:
    """Set the lot's new quantity; reservations it can no longer cover move or become short,
    and vials found give sessions short of the product their due."""
    lot = await locked_lot(scope, cmd.lot_id, "body.lot_id", waiting_first=True)
    new_quantity = adjusted_quantity(lot, cmd.kind, cmd.quantity)
    moved = await displace(scope, lot.id, reserved_allowed(new_quantity, lot.consumed))
    repo = scope.lots
    await repo.set_quantity(lot.id, new_quantity)
    await repo.record_adjustment(lot, cmd.kind, new_quantity, cmd.reason, at=now, by=by)
    await refill(scope, moved, now)
    await fill_shortages(scope, {lot.product_code}, now)
    review_reorders_after_commit(scope, {lot.product_code}, now)
    adjusted = await repo.get(lot.id)
    assert adjusted is not None
    return adjusted


@dataclass(frozen=True)
class RecallOutcome:
    lot: Lot
    patient_ids: list[uuid.UUID]
    session_ids: list[uuid.UUID]
    still_short: list[uuid.UUID]


async def recall_lot(scope: Scope, lot_id: uuid.UUID, *, now: datetime) -> RecallOutcome:
    """Stop using the lot, move its reservations, and name who was treated with it."""
    lot = await locked_lot(scope, lot_id, "path.lot_id")
    if lot.status == "recalled":
        raise Conflict(f"Lot {lot.lot_number} is already recalled.", lot_id=str(lot.id))
    repo = scope.lots
    await repo.set_status(lot.id, "recalled")
    moved = await displace(scope, lot.id, 0)
    refilled = await refill(scope, moved, now)
    trace = scope.trace
    used = await trace.consumptions(product_code=lot.product_code, lot_number=lot.lot_number)
    patient_ids = sorted({u["patient_id"] for u in used}, key=str)
    session_ids = sorted(set(moved), key=str)
    short = [s.session_id for s in refilled if await trace.is_short(s.session_id)]
    review_reorders_after_commit(scope, {lot.product_code}, now)
    scope.uow.emit(
        LotRecalled(
            lot_id=lot.id,
            product_code=lot.product_code,
            lot_number=lot.lot_number,
            patient_ids=patient_ids,
            session_ids=session_ids,
        )
    )
    recalled = await repo.get(lot.id)
    assert recalled is not None
    return RecallOutcome(recalled, patient_ids, session_ids, sorted(short, key=str))
