"""Purchase order routes: drafts proposed from the forecast, edited, sent, received, cancelled."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from inventory.domain.orders import OrderLine, OrderStatus, PurchaseOrder
from inventory.entrypoints.api.deps import (
    NowDep,
    RuntimeDep,
    ScopeDep,
    SettingsDep,
    StockStaff,
    TodayDep,
)
from inventory.entrypoints.api.order_schemas import (
    DraftCreate,
    DraftEdit,
    OrderLinePublic,
    OrderPublic,
    OrderReceipt,
    UnsuppliedProduct,
)
from inventory.entrypoints.api.retry import committed
from inventory.service_layer import purchase_orders as orders
from inventory.service_layer.ordering import propose_orders, unsupplied_needs
from inventory.service_layer.scope import Scope

router = APIRouter(prefix="/v1/purchase-orders", tags=["purchasing"])
# Beside the orders, not under them: `/v1/purchase-orders/proposals` would read as an order id.
proposals_router = APIRouter(prefix="/v1", tags=["purchasing"])


@router.get("", response_model=list[OrderPublic])
async def list_orders(
    scope: ScopeDep,
    today: TodayDep,
    _: StockStaff,
    order_status: Annotated[OrderStatus | None, Query(alias="status")] = None,
) -> list[OrderPublic]:
    found = await orders.list_orders(scope, order_status)
    return [await _public(scope, order, today) for order in found]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrderPublic)
async def draft(
    body: DraftCreate, scope: ScopeDep, today: TodayDep, now: NowDep, _: StockStaff
) -> OrderPublic:
    """Open a draft for a supplier by hand (409 when it has one: edit that one)."""
    order = await orders.draft_order(scope, body.supplier_id, _lines(body), now)
    await scope.uow.commit()
    return await _public(scope, order, today)


@proposals_router.post("/order-proposals", response_model=list[OrderPublic])
async def propose(
    scope: ScopeDep, settings: SettingsDep, today: TodayDep, now: NowDep, _: StockStaff
) -> list[OrderPublic]:
    """Add to each preferred supplier's draft what the forecast needs and no open order covers;
    the drafts that changed (none when everything is covered)."""
    changed = await propose_orders(scope, today, now, pace_days=settings.course_pace_days)
    await scope.uow.commit()
    return [await _public(scope, await orders.get_order(scope, i), today) for i in changed]


@proposals_router.get("/order-proposals/unsupplied", response_model=list[UnsuppliedProduct])
async def unsupplied(
    scope: ScopeDep, settings: SettingsDep, today: TodayDep, _: StockStaff
) -> list[UnsuppliedProduct]:
    """The products the forecast needs ordered that no supplier is preferred for: a proposal
    cannot draft them until one is."""
    found = await unsupplied_needs(scope, today, pace_days=settings.course_pace_days)
    return [UnsuppliedProduct(code=p.code, name=p.name) for p in found]


@router.get("/{order_id}", response_model=OrderPublic)
async def read(order_id: uuid.UUID, scope: ScopeDep, today: TodayDep, _: StockStaff) -> OrderPublic:
    return await _public(scope, await orders.get_order(scope, order_id), today)


@router.put("/{order_id}/lines", response_model=OrderPublic)
async def edit(
    order_id: uuid.UUID,
    body: DraftEdit,
    scope: ScopeDep,
    today: TodayDep,
    now: NowDep,
    _: StockStaff,
) -> OrderPublic:
    """Replace a draft's lines (409 once it is sent)."""
    order = await orders.edit_draft(scope, order_id, _lines(body), now)
    await scope.uow.commit()
    return await _public(scope, order, today)


@router.post("/{order_id}/send", response_model=OrderPublic)
async def send(
    order_id: uuid.UUID, scope: ScopeDep, today: TodayDep, now: NowDep, _: StockStaff
) -> OrderPublic:
    """Mark the draft sent; the supplier is emailed the order when it has an address."""
    order = await orders.send_order(scope, order_id, today=today, now=now)
    await scope.uow.commit()
    return await _public(scope, order, today)


@router.post("/{order_id}/receipts", response_model=OrderPublic)
async def receive(
    order_id: uuid.UUID,
    body: OrderReceipt,
    runtime: RuntimeDep,
    today: TodayDep,
    now: NowDep,
    who: StockStaff,
) -> OrderPublic:
    """Receive one lot against a line; more than is due needs `over_reason`."""
    cmd = orders.ReceiveAgainstOrder(**body.model_dump())

    async def use_case(scope: Scope) -> OrderPublic:
        order = await orders.receive_against_order(
            scope, order_id, cmd, today=today, now=now, by=who.subject
        )
        return await _public(scope, order, today)

    return await committed(runtime, use_case)


@router.post("/{order_id}/cancel", response_model=OrderPublic)
async def cancel(
    order_id: uuid.UUID, scope: ScopeDep, today: TodayDep, now: NowDep, _: StockStaff
) -> OrderPublic:
    """Cancel an open order; what it had due is no longer on order."""
    order = await orders.cancel_order(scope, order_id, now=now)
    await scope.uow.commit()
    return await _public(scope, order, today)


def _lines(body: DraftEdit) -> list[OrderLine]:
    return [OrderLine(line.product_code, line.quantity) for line in body.lines]


async def _public(scope: Scope, order: PurchaseOrder, today: date) -> OrderPublic:
    due = sum(line.due for line in order.lines)
    late = order.expected_on is not None and order.expected_on < today
    return OrderPublic(
        id=order.id,
        supplier_id=order.supplier_id,
        supplier_name=await orders.supplier_name(scope, order.supplier_id),
        status=order.status,
        expected_on=order.expected_on,
        overdue=order.status in ("sent", "partially_received") and late and due > 0,
        due=due,
        lines=[
            OrderLinePublic(
                product_code=line.product_code,
                quantity=line.quantity,
                received=line.received,
                due=line.due,
                reason=line.reason,
            )
            for line in order.lines
        ],
    )
