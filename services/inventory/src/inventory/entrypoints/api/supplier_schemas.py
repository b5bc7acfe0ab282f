"""Request and response bodies of the supplier routes."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from inventory.entrypoints.api.schemas import Code, Days, Positive, Strict

Price = Annotated[float, Field(strict=True, ge=0, le=1_000_000)]
# An address to send orders to: one @, no spaces, a dot in the domain (the mail server judges
# the rest; inventory takes no dependency on a validator for one field).
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class SupplyTermsBody(BaseModel):
    model_config = Strict

    product_code: Code
    lead_time_days: Days
    pack_size: Positive = Field(description="Vials per pack: orders are whole packs.")
    minimum_order: Annotated[StrictInt, Field(ge=1, le=1_000_000)] = Field(
        1, description="The fewest vials the supplier takes an order for."
    )
    unit_price: Price | None = Field(None, description="Per vial; optional.")
    preferred: StrictBool = Field(
        False, description="Draft orders for the product go to this supplier (one per product)."
    )


class SupplierBody(BaseModel):
    model_config = Strict

    name: str = Field(min_length=1, max_length=200)
    email: Email | None = Field(None, description="Sent orders are emailed here.")
    products: list[SupplyTermsBody] = Field(default_factory=list, max_length=200)


class SupplyTermsPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_code: str
    lead_time_days: int
    pack_size: int
    minimum_order: int
    unit_price: Decimal | None
    preferred: bool


class SupplierPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    email: str | None
    products: list[SupplyTermsPublic]
