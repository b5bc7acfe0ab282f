"""What each alert says, as data: the facts its English text is worded from, for clients that
word it in another language. Each kind has its own; products are the alert's own (its name is
the alert's `product_name`), except an order's lines, which name theirs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ShortageFacts:
    """How many sessions lack the product now and how many vials in all; none any more: 0."""

    sessions: int
    vials: int
    first_session_on: date | None


@dataclass(frozen=True)
class ExpiringLot:
    lot_number: str
    unreserved_vials: int
    expires_on: date


@dataclass(frozen=True)
class ExpiryFacts:
    """The product's expiring lots, the soonest to expire first (then by lot number)."""

    lots: tuple[ExpiringLot, ...]


@dataclass(frozen=True)
class ReorderFacts:
    """The reorder the forecast calls for now; every field None when the stock now holds."""

    quantity: int | None
    projected: int | None
    projected_on: date | None
    lead_time_days: int | None
    safety_stock: int | None


@dataclass(frozen=True)
class RecalledLotUsedFacts:
    """A completed session recorded with a recalled lot of the alert's product."""

    session_on: date
    lot_number: str


@dataclass(frozen=True)
class DueLine:
    product_code: str
    product_name: str
    due: int


@dataclass(frozen=True)
class OrderOverdueFacts:
    """A sent order past its expected day, with what it still has due."""

    order_id: uuid.UUID
    supplier_name: str
    expected_on: date
    lines: tuple[DueLine, ...]


AlertFacts = ShortageFacts | ExpiryFacts | ReorderFacts | RecalledLotUsedFacts | OrderOverdueFacts
