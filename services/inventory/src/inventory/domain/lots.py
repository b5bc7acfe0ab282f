"""Lots: a batch of one product with an expiry, and what may be done with one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

from inventory.domain.errors import ExpiredReceipt, LotClosedToReceipts, LotExpiryMismatch

LotStatus = Literal["available", "quarantined", "recalled", "expired"]
# Why a lot named for a session may not be used for it.
LotRefusal = Literal["unknown_product", "unknown_lot", "recalled", "quarantined", "expired"]


@dataclass(frozen=True)
class Lot:
    id: uuid.UUID
    product_code: str
    lot_number: str
    expires_on: date
    quantity: int
    reserved: int
    consumed: int
    status: LotStatus

    @property
    def on_hand(self) -> int:
        return self.quantity - self.consumed

    @property
    def available(self) -> int:
        return self.quantity - self.reserved - self.consumed


def lot_key(lot_number: str) -> str:
    """What a lot number is compared by: suppliers print one lot in any case, with stray spaces,
    so "b-2403 " and "B-2403" are one lot."""
    return lot_number.strip().casefold()


def refusal_for_session(
    lot: Lot | None, *, product_known: bool, session_on: date
) -> LotRefusal | None:
    """Why the lot may not go into a patient on the clinic day `session_on`, or None when it may:
    FEFO's rule, a lot serves a session when it is neither recalled nor quarantined and expires
    after the session's day."""
    if not product_known:
        return "unknown_product"
    if lot is None:
        return "unknown_lot"
    if lot.status in ("recalled", "quarantined"):
        return lot.status
    if lot.expires_on <= session_on:
        return "expired"
    return None


def refusal_text(refusal: LotRefusal, lot: Lot | None) -> str:
    """The refusal in the words staff read: `expired on 2030-03-07`, `unknown lot`."""
    if refusal == "expired" and lot is not None:
        return f"expired on {lot.expires_on.isoformat()}"
    return refusal.replace("_", " ")


def effective_status(status: LotStatus, expires_on: date, today: date) -> LotStatus:
    """An available lot past its expiry date is expired, whether or not a scan marked it."""
    if status == "available" and expires_on <= today:
        return "expired"
    return status


def check_receipt(*, expires_on: date, today: date, existing: Lot | None) -> None:
    """A receipt brings an unexpired lot; a known lot number must keep its expiry and status."""
    if expires_on <= today:
        raise ExpiredReceipt(expires_on)
    if existing is None:
        return
    if existing.expires_on != expires_on:
        raise LotExpiryMismatch(existing.lot_number, str(existing.id), existing.expires_on)
    if existing.status in ("recalled", "quarantined"):
        raise LotClosedToReceipts(existing.lot_number, str(existing.id), existing.status)
