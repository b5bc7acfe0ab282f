"""A purchase order's life: staff edit a draft, send it, receive against it, or cancel it.

Every step locks the order's row first (then, for a receipt, what a delivery locks: the
sessions short of the product, then the lot), so steps on one order run one after the other:
two staff receiving at once never take in more than is due without a reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from clinic_shared.contracts.events import (
    PurchaseOrderCancelled,
    PurchaseOrderReceived,
    PurchaseOrderSent,
)
from clinic_shared.errors import Conflict, NotFound, Unprocessable
from inventory.domain.alerts import overdue_key
from inventory.domain.orders import (
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    check_receipt_quantity,
    check_transition,
    status_after_receipt,
)
from inventory.domain.suppliers import Supplier
from inventory.service_layer.catalogue import get_product
from inventory.service_layer.ordering import announce_draft, line_facts
from inventory.service_layer.receipts import ReceiveStock, receive_stock
from inventory.service_layer.scope import Scope
from inventory.service_layer.suppliers import get_supplier

BY_STAFF = "added by staff"  # a line's reason when staff, not the forecast, put it there


@dataclass(frozen=True)
class ReceiveAgainstOrder:
    product_code: str
    lot_number: str
    expires_on: date
    quantity: int
    over_reason: str | None = None


async def get_order(scope: Scope, order_id: uuid.UUID, *, lock: bool = False) -> PurchaseOrder:
    order = await scope.orders.get(order_id, lock=lock)
    if order is None:
        raise NotFound(
            f"No purchase order {order_id}.",
            errors=[{"field": "path.order_id", "reason": "unknown"}],
        )
    return order


async def supplier_name(scope: Scope, supplier_id: uuid.UUID) -> str:
    supplier = await scope.suppliers.get(supplier_id)
    return supplier.name if supplier else ""


async def list_orders(scope: Scope, status: OrderStatus | None) -> list[PurchaseOrder]:
    return await scope.orders.find(status=status)


async def draft_order(
    scope: Scope, supplier_id: uuid.UUID, lines: list[OrderLine], now: datetime
) -> PurchaseOrder:
    """Staff open a draft by hand; a supplier has one draft at a time (edit that one)."""
    supplier = await get_supplier(scope, supplier_id)
    await _check_products(scope, lines)
    orders = scope.orders
    if not await orders.add_draft_once(supplier.id, expected_on=None, now=now):
        raise Conflict(
            f"{supplier.name} already has a draft order: edit it.",
            errors=[{"field": "body.supplier_id", "reason": "has a draft order already"}],
        )
    order_id = await orders.draft_of(supplier.id)
    assert order_id is not None
    await orders.replace_lines(order_id, [replace(line, reason=BY_STAFF) for line in lines])
    await announce_draft(scope, order_id, supplier)
    return await get_order(scope, order_id)


async def edit_draft(
    scope: Scope, order_id: uuid.UUID, lines: list[OrderLine], now: datetime
) -> PurchaseOrder:
    """Replace a draft's lines; a product kept keeps the proposal's reason."""
    order = await get_order(scope, order_id, lock=True)
    check_transition(order, "edit")
    await _check_products(scope, lines)
    kept = {line.product_code: line.reason for line in order.lines}
    edited = [
        OrderLine(line.product_code, line.quantity, 0, kept.get(line.product_code, BY_STAFF))
        for line in lines
    ]
    await scope.orders.replace_lines(order_id, edited)
    await scope.orders.set_status(order_id, "draft", now=now)
    await announce_draft(scope, order_id, await get_supplier(scope, order.supplier_id))
    return await get_order(scope, order_id)


async def send_order(
    scope: Scope, order_id: uuid.UUID, *, today: date, now: datetime
) -> PurchaseOrder:
    """Mark the draft sent, expected after the longest lead time of its lines; notifications
    emails it to the supplier when it has an address."""
    order = await get_order(scope, order_id, lock=True)
    check_transition(order, "send")
    supplier = await get_supplier(scope, order.supplier_id)
    expected_on = today + timedelta(days=await _lead_time(scope, supplier, order))
    await scope.orders.mark_sent(order_id, expected_on=expected_on, now=now)
    sent = await get_order(scope, order_id)
    scope.uow.emit(
        PurchaseOrderSent(
            order_id=sent.id,
            supplier_id=supplier.id,
            supplier_name=supplier.name,
            supplier_email=supplier.email,
            expected_on=expected_on,
            lines=await line_facts(scope, sent),
        )
    )
    return sent


async def receive_against_order(
    scope: Scope,
    order_id: uuid.UUID,
    cmd: ReceiveAgainstOrder,
    *,
    today: date,
    now: datetime,
    by: str,
) -> PurchaseOrder:
    """Receive one lot of a line: the lot is created or topped up as any delivery is."""
    order = await get_order(scope, order_id, lock=True)
    check_transition(order, "receive")
    check_receipt_quantity(order, cmd.product_code, cmd.quantity, cmd.over_reason)
    delivery = ReceiveStock(cmd.product_code, cmd.lot_number, cmd.expires_on, cmd.quantity)
    lot = await receive_stock(scope, delivery, today=today, now=now, by=by)
    orders = scope.orders
    await orders.add_received(order_id, cmd.product_code, cmd.quantity)
    await orders.record_receipt(
        order_id,
        product_code=cmd.product_code,
        lot_id=lot.id,
        quantity=cmd.quantity,
        over_reason=cmd.over_reason,
        received_at=now,
        received_by=by,
    )
    status = status_after_receipt((await get_order(scope, order_id)).lines)
    await orders.set_status(order_id, status, now=now)
    if status == "received":
        await scope.alerts.resolve([overdue_key(order_id)], now)
    received = await get_order(scope, order_id)
    supplier = await get_supplier(scope, order.supplier_id)
    scope.uow.emit(
        PurchaseOrderReceived(
            order_id=order_id,
            supplier_id=supplier.id,
            supplier_name=supplier.name,
            lines=await line_facts(scope, received),
            product_code=cmd.product_code,
            quantity=cmd.quantity,
            lot_number=lot.lot_number,
            complete=status == "received",
        )
    )
    return received


async def cancel_order(scope: Scope, order_id: uuid.UUID, *, now: datetime) -> PurchaseOrder:
    """Cancel an open order: what it still had due is no longer counted as on order."""
    order = await get_order(scope, order_id, lock=True)
    check_transition(order, "cancel")
    await scope.orders.set_status(order_id, "cancelled", now=now)
    await scope.alerts.resolve([overdue_key(order_id)], now)
    supplier = await get_supplier(scope, order.supplier_id)
    cancelled = await get_order(scope, order_id)
    scope.uow.emit(
        PurchaseOrderCancelled(
            order_id=order_id,
            supplier_id=supplier.id,
            supplier_name=supplier.name,
            lines=await line_facts(scope, cancelled),
        )
    )
    return cancelled


async def _check_products(scope: Scope, lines: list[OrderLine]) -> None:
    """Each line a known product, each product once."""
    seen: set[str] = set()
    for index, line in enumerate(lines):
        field = f"body.lines.{index}.product_code"
        await get_product(scope, line.product_code, field=field)
        if line.product_code in seen:
            raise Unprocessable(
                "An order lists each product once.",
                errors=[{"field": field, "reason": "product listed twice"}],
            )
        seen.add(line.product_code)


async def _lead_time(scope: Scope, supplier: Supplier, order: PurchaseOrder) -> int:
    """The longest lead time of the order's products: the supplier's, else the product's own."""
    terms = {t.product_code: t.lead_time_days for t in supplier.products}
    days = []
    for line in order.lines:
        if line.product_code in terms:
            days.append(terms[line.product_code])
        else:
            days.append((await get_product(scope, line.product_code)).lead_time_days)
    return max(days, default=0)
