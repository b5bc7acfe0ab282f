"""Receiving stock: a delivery adds vials to a lot, new or known."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from clinic_shared.errors import Conflict
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.lot_repository import LotRepository
from inventory.adapters.session_repository import SessionRepository
from inventory.domain.lots import Lot, check_receipt
from inventory.service_layer.alerting import settle_reorder_alerts
from inventory.service_layer.catalogue import get_product
from inventory.service_layer.reserving import fill_shortages


@dataclass(frozen=True)
class ReceiveStock:
    product_code: str
    lot_number: str
    expires_on: date
    quantity: int


async def receive_stock(
    uow: UnitOfWork, cmd: ReceiveStock, *, today: date, now: datetime, by: str
) -> Lot:
    """Add the delivered vials to their lot and give them to sessions short of the product."""
    await get_product(uow, cmd.product_code, field="body.product_code")
    # Lock the sessions waiting for this product before the lot, the order session handlers
    # take them in (session, then lots), so a receipt and a booking cannot deadlock.
    await SessionRepository(uow.session).short_of({cmd.product_code})
    repo = LotRepository(uow.session)
    existing = await repo.by_number(cmd.product_code, cmd.lot_number)
    check_receipt(expires_on=cmd.expires_on, today=today, existing=existing)
    if existing is None:
        lot_id = uuid.uuid4()
        new = Lot(
            lot_id,
            cmd.product_code,
            cmd.lot_number,
            cmd.expires_on,
            cmd.quantity,
            0,
            0,
            "available",
        )
        try:
            await repo.add(new, received_at=now)
        except IntegrityError as exc:  # the same new lot received at the same moment
            raise Conflict(f"Lot {cmd.lot_number} was received at the same time; retry.") from exc
    else:
        lot_id = existing.id
        await repo.add_quantity(lot_id, cmd.quantity)
    await repo.record_receipt(lot_id, cmd.quantity, at=now, by=by)
    await fill_shortages(uow, {cmd.product_code}, now)
    await settle_reorder_alerts(uow, cmd.product_code, now)
    lot = await repo.get(lot_id)
    assert lot is not None
    return lot
