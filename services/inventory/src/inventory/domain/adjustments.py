"""Adjustments: a count correction, breakage or disposal changes a lot's quantity, never below 0."""

from __future__ import annotations

from typing import Literal

from inventory.domain.errors import NotEnoughOnHand
from inventory.domain.lots import Lot

AdjustmentKind = Literal["count_correction", "breakage", "disposal"]


def adjusted_quantity(lot: Lot, kind: AdjustmentKind, quantity: int) -> int:
    """The lot's new quantity: `quantity` is the vials counted on hand for a count correction,
    else the vials removed, which cannot exceed those on hand."""
    if kind == "count_correction":
        return lot.consumed + quantity
    if quantity > lot.on_hand:
        raise NotEnoughOnHand(lot.lot_number, lot.on_hand, quantity)
    return lot.quantity - quantity


def reserved_allowed(new_quantity: int, consumed: int) -> int:
    """How many vials may stay reserved on a lot of `new_quantity` with `consumed` used."""
    return max(0, new_quantity - consumed)
