"""Inventory's rule violations, each mapped to its HTTP status by its base class (the answers'
problem types are their base classes', as before these had names)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from clinic_shared.errors import Conflict, Unprocessable


class NotEnoughOnHand(Unprocessable):
    """An adjustment would remove more vials than the lot has on hand."""

    def __init__(self, lot_number: str, on_hand: int, quantity: int) -> None:
        super().__init__(
            f"Lot {lot_number} has {on_hand} vials on hand; {quantity} cannot be removed.",
            errors=[{"field": "body.quantity", "reason": f"at most {on_hand}"}],
        )


class ExpiredReceipt(Unprocessable):
    """Expired stock is not received."""

    def __init__(self, expires_on: date) -> None:
        super().__init__(
            f"The lot expired on {expires_on.isoformat()}; expired stock is not received.",
            errors=[{"field": "body.expires_on", "reason": "must be after today"}],
        )


class LotExpiryMismatch(Conflict):
    """A known lot number arrives with another expiry than the one on record."""

    def __init__(self, lot_number: str, lot_id: str, expires_on: date) -> None:
        super().__init__(
            f"Lot {lot_number} is on record expiring {expires_on.isoformat()}.",
            lot_id=lot_id,
            expires_on=expires_on.isoformat(),
        )


class LotClosedToReceipts(Conflict):
    """A recalled or quarantined lot takes no more stock."""

    def __init__(self, lot_number: str, lot_id: str, status: str) -> None:
        super().__init__(
            f"Lot {lot_number} is {status}; it cannot receive stock.",
            lot_id=lot_id,
        )


class InvalidKit(Unprocessable):
    """A treatment's kit names an unknown product, or one product twice: every line is named."""

    def __init__(self, problems: Sequence[dict[str, str]]) -> None:
        super().__init__("The kit is invalid.", errors=list(problems))


class InvalidSupplier(Unprocessable):
    """A supplier's products name an unknown product, or one product twice."""

    def __init__(self, problems: Sequence[dict[str, str]]) -> None:
        super().__init__("The supplier's products are invalid.", errors=list(problems))


class PreferenceTaken(Conflict):
    """A product is preferred from one supplier: another must give it up first."""

    def __init__(self, problems: Sequence[dict[str, str]]) -> None:
        super().__init__(
            "A product is already preferred from another supplier; unset it there first.",
            errors=list(problems),
        )


class BadTransition(Conflict):
    """A purchase order's status does not allow the action."""

    def __init__(self, action: str, status: str, allowed: Sequence[str]) -> None:
        super().__init__(
            f"A {status} order cannot take {action!r}; only {', '.join(allowed)} orders can.",
            order_status=status,
            errors=[{"field": "status", "reason": f"is {status}"}],
        )


class OverReceipt(Unprocessable):
    """A receipt of more than an order line has due, without a reason, or of a product the
    order does not hold."""

    def __init__(self, field: str, reason: str, *, line_due: int) -> None:
        super().__init__(
            f"The receipt does not match the order: {reason}.",
            errors=[{"field": field, "reason": reason}],
            due=line_due,
        )
