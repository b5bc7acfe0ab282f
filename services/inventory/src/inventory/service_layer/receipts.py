"""Receiving stock: a delivery adds vials to a lot, new or known."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from inventory.adapters.lots import LotRepository
from inventory.domain.lots import Lot, check_receipt
from inventory.service_layer.alerting import settle_reorder_alerts
from inventory.service_layer.catalogue import get_product
from inventory.service_layer.reserving import fill_shortages
from inventory.service_layer.scans import review_reorders_after_commit
from inventory.service_layer.scope import Scope


@dataclass(frozen=True)
class ReceiveStock:
    product_code: str
    lot_number: str
    expires_on: date
    quantity: int


async def receive_stock(
    scope: Scope, cmd: ReceiveStock, *, today: date, now: datetime, by: str
) -> Lot:
    """Add the delivered vials to their lot and give them to sessions short of the product."""
    await get_product(scope, cmd.product_code, field="body.product_code")
    # Lock the sessions waiting for this product before the lot, the order session handlers
    # take them in (session, then lots), so a receipt and a booking cannot deadlock.
    await scope.sessions.short_of({cmd.product_code})
    repo = scope.lots
    lot_id = await _lot_to_top_up(repo, cmd, today, now)
    await repo.add_quantity(lot_id, cmd.quantity)
    await repo.record_receipt(lot_id, cmd.quantity, at=now, by=by)
    await fill_shortages(scope, {cmd.product_code}, now)
    await settle_reorder_alerts(scope, cmd.product_code, now)
    review_reorders_after_commit(scope, {cmd.product_code}, now)  # still too few after it?
    lot = await repo.get(lot_id)
    assert lot is not None
    return lot


async def _lot_to_top_up(
    repo: LotRepository, cmd: ReceiveStock, today: date, now: datetime
) -> uuid.UUID:
    """The lot the delivery adds to, created empty on its first delivery."""
    existing = await repo.by_number(cmd.product_code, cmd.lot_number)
    check_receipt(expires_on=cmd.expires_on, today=today, existing=existing)
    if existing is not None:
        return existing.id
    new = Lot(uuid.uuid4(), cmd.product_code, cmd.lot_number, cmd.expires_on, 0, 0, 0, "available")
    if await repo.add_unless_numbered(new, received_at=now):
        return new.id
    # The same new lot arrived in another request a moment ago: top that one up.
    return await _lot_to_top_up(repo, cmd, today, now)
