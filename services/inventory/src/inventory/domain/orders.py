"""A purchase order's life: drafted, sent, received lot by lot, or cancelled.

    draft --send--> sent --receive--> partially_received --receive--> received
      |               |                    |
      +---cancel------+-------cancel-------+--> cancelled

A draft's lines may be edited; once sent only receipts and a cancel change the order. What is
still due (ordered minus received, never below zero) counts as on order until the order is
received in full or cancelled: cancelling releases it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

from inventory.domain.errors import BadTransition, OverReceipt

OrderStatus = Literal["draft", "sent", "partially_received", "received", "cancelled"]
OPEN_STATUSES: tuple[OrderStatus, ...] = ("draft", "sent", "partially_received")
OrderAction = Literal["edit", "send", "receive", "cancel"]
ALLOWED: dict[OrderAction, tuple[OrderStatus, ...]] = {
    "edit": ("draft",),
    "send": ("draft",),
    "receive": ("sent", "partially_received"),
    "cancel": OPEN_STATUSES,
}


@dataclass(frozen=True)
class OrderLine:
    product_code: str
    quantity: int
    received: int = 0
    reason: str = ""

    @property
    def due(self) -> int:
        return max(0, self.quantity - self.received)


@dataclass(frozen=True)
class PurchaseOrder:
    id: uuid.UUID
    supplier_id: uuid.UUID
    status: OrderStatus
    expected_on: date | None
    lines: tuple[OrderLine, ...] = ()

    def line(self, product_code: str) -> OrderLine | None:
        return next((line for line in self.lines if line.product_code == product_code), None)


def check_transition(order: PurchaseOrder, action: OrderAction) -> None:
    """Refuse an action the order's status does not allow (409 naming the status)."""
    if order.status not in ALLOWED[action]:
        raise BadTransition(action, order.status, ALLOWED[action])


def status_after_receipt(lines: tuple[OrderLine, ...]) -> OrderStatus:
    return "received" if all(line.due == 0 for line in lines) else "partially_received"


def check_receipt_quantity(
    order: PurchaseOrder, product_code: str, quantity: int, over_reason: str | None
) -> OrderLine:
    """The line received against; more than is due needs a reason."""
    line = order.line(product_code)
    if line is None:
        raise OverReceipt("body.product_code", f"{product_code!r} is not on this order", line_due=0)
    if quantity > line.due and not over_reason:
        raise OverReceipt(
            "body.over_reason",
            f"{quantity} is more than the {line.due} still due: say why",
            line_due=line.due,
        )
    return line
