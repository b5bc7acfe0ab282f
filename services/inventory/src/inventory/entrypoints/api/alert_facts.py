"""Each alert's facts in the API: what its English `message` says, as data a client words in
its own language. One object per kind, told apart by `kind` (the alert's own)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from inventory.domain.alert_facts import (
    AlertFacts,
    ExpiryFacts,
    OrderOverdueFacts,
    RecalledLotUsedFacts,
    ReorderFacts,
    ShortageFacts,
)


class ShortageFactsPublic(BaseModel):
    """What the booked sessions lack now of the alert's product (none any more: 0 and null)."""

    kind: Literal["shortage"] = "shortage"
    sessions: int = Field(description="Booked sessions that lack the product now.")
    vials: int = Field(description="Vials they lack in all.")
    first_session_on: date | None = Field(description="The earliest of them, in clinic time.")


class ExpiringLotPublic(BaseModel):
    lot_number: str
    unreserved_vials: int = Field(description="Vials of the lot no booked session holds.")
    expires_on: date


class ExpiryFactsPublic(BaseModel):
    """The alert's product's expiring lots, the soonest to expire first."""

    kind: Literal["expiry"] = "expiry"
    lots: list[ExpiringLotPublic]


class ReorderFactsPublic(BaseModel):
    """The reorder the forecast calls for now; every field null when the stock now holds the
    safety stock over the lead time (no reorder is needed any more)."""

    kind: Literal["reorder"] = "reorder"
    quantity: int | None = Field(description="Vials to order.")
    projected: int | None = Field(
        description="Stock projected when a delivery ordered today would arrive."
    )
    projected_on: date | None = Field(description="That day: today plus the lead time.")
    lead_time_days: int | None
    safety_stock: int | None = Field(description="What `projected` falls below.")


class RecalledLotUsedFactsPublic(BaseModel):
    """A completed session recorded with a recalled lot of the alert's product."""

    kind: Literal["recalled_lot_used"] = "recalled_lot_used"
    session_on: date = Field(description="The session's day, in clinic time.")
    lot_number: str


class DueLinePublic(BaseModel):
    product_code: str
    product_name: str
    due: int = Field(description="Vials ordered and not yet received.")


class OrderOverdueFactsPublic(BaseModel):
    """A sent purchase order past its expected day, as it stands now."""

    kind: Literal["order_overdue"] = "order_overdue"
    order_id: uuid.UUID
    supplier_name: str
    expected_on: date
    lines: list[DueLinePublic] = Field(description="The lines with vials still due.")


AnyFactsPublic = (
    ShortageFactsPublic
    | ExpiryFactsPublic
    | ReorderFactsPublic
    | RecalledLotUsedFactsPublic
    | OrderOverdueFactsPublic
)
FactsPublic = Annotated[AnyFactsPublic, Field(discriminator="kind")]


PUBLIC: dict[type[AlertFacts], type[AnyFactsPublic]] = {
    ShortageFacts: ShortageFactsPublic,
    ExpiryFacts: ExpiryFactsPublic,
    ReorderFacts: ReorderFactsPublic,
    RecalledLotUsedFacts: RecalledLotUsedFactsPublic,
    OrderOverdueFacts: OrderOverdueFactsPublic,
}
"""Each kind's facts, and the API's object for them (read field by field, lines and lots too)."""


def facts_public(facts: AlertFacts) -> FactsPublic:
    """The API's object for the facts of one kind."""
    return PUBLIC[type(facts)].model_validate(facts, from_attributes=True)
