"""Receipts and lots: stock as it arrives, by lot and expiry."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from clinic_shared.paging import Page, paged
from inventory.domain.lots import Lot, LotStatus, effective_status, refusal_text
from inventory.entrypoints.api.deps import (
    NowDep,
    Reader,
    RuntimeDep,
    ScopeDep,
    StockStaff,
    TodayDep,
)
from inventory.entrypoints.api.retry import committed
from inventory.entrypoints.api.schemas import (
    CheckedLotPublic,
    LotCheckBody,
    LotCheckPublic,
    LotPublic,
    ReceiptCreate,
)
from inventory.service_layer import lots
from inventory.service_layer.lots import CheckedLot, NamedLot, check_lots
from inventory.service_layer.receipts import ReceiveStock, receive_stock

router = APIRouter(prefix="/v1", tags=["lots"])


@router.post("/receipts", status_code=status.HTTP_201_CREATED, response_model=LotPublic)
async def receive(
    body: ReceiptCreate, runtime: RuntimeDep, today: TodayDep, now: NowDep, who: StockStaff
) -> LotPublic:
    """Add a delivery to its lot; the lot is created on its first delivery."""
    cmd = ReceiveStock(**body.model_dump())
    lot = await committed(
        runtime, lambda scope: receive_stock(scope, cmd, today=today, now=now, by=who.subject)
    )
    return lot_public(lot, today)


@router.get("/lots", response_model=list[LotPublic])
async def list_lots(
    scope: ScopeDep,
    today: TodayDep,
    _: Reader,
    page: Annotated[Page, paged(200)],
    product_code: Annotated[str | None, Query(max_length=50)] = None,
    lot_status: Annotated[LotStatus | None, Query(alias="status")] = None,
) -> list[LotPublic]:
    found = await lots.list_lots(
        scope, today=today, product_code=product_code, status=lot_status, page=page
    )
    return [lot_public(lot, today) for lot in found]


@router.post("/lots/check", response_model=LotCheckPublic)
async def check(body: LotCheckBody, scope: ScopeDep, _: Reader) -> LotCheckPublic:
    """Whether each named lot may go into a patient on the session's day, and why not: unknown
    product or lot, recalled, quarantined, or expiring by that day. Changes nothing."""
    named = [NamedLot(line.product_code, line.lot_number) for line in body.lines]
    checked = await check_lots(scope, session_on=body.session_on, named=named)
    lines = [_checked_public(c) for c in checked]
    return LotCheckPublic(
        session_on=body.session_on, usable=all(line.usable for line in lines), lines=lines
    )


def _checked_public(checked: CheckedLot) -> CheckedLotPublic:
    lot, refusal = checked.lot, checked.refusal
    return CheckedLotPublic(
        product_code=checked.named.product_code,
        lot_number=checked.named.lot_number,
        usable=refusal is None,
        reason=refusal,
        detail=refusal_text(refusal, lot) if refusal else None,
        lot_id=lot.id if lot else None,
        expires_on=lot.expires_on if lot else None,
    )


def lot_public(lot: Lot, today: date) -> LotPublic:
    return LotPublic(
        id=lot.id,
        product_code=lot.product_code,
        lot_number=lot.lot_number,
        expires_on=lot.expires_on,
        quantity=lot.quantity,
        reserved=lot.reserved,
        consumed=lot.consumed,
        on_hand=lot.on_hand,
        available=lot.available,
        status=effective_status(lot.status, lot.expires_on, today),
    )
