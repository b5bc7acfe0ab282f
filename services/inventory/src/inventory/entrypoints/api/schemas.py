"""Request and response bodies of inventory's catalogue and lot routes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from clinic_shared.fields import Day
from inventory.domain.lots import LotRefusal, LotStatus

# Numbers in request bodies are strict: a JSON string ("1") or boolean (true) is refused with a
# 422 naming the field, never read as a number of vials.
Code = Annotated[str, Field(min_length=2, max_length=50, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Days = Annotated[StrictInt, Field(ge=0, le=365)]
Count = Annotated[StrictInt, Field(ge=0, le=1_000_000)]
Positive = Annotated[StrictInt, Field(ge=1, le=1_000_000)]
Millilitres = Annotated[float, Field(strict=True, gt=0, le=1000)]
Strict = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProductUpdate(BaseModel):
    """Fields left out keep their value; only `reorder_quantity` may be cleared with null."""

    model_config = Strict

    name: str | None = Field(None, min_length=1, max_length=200)
    volume_ml: Millilitres | None = None
    lead_time_days: Days | None = None
    safety_stock: Count | None = None
    review_period_days: Days | None = None
    reorder_quantity: Positive | None = None
    cover_days: Days | None = None

    @field_validator(
        "name",
        "volume_ml",
        "lead_time_days",
        "safety_stock",
        "review_period_days",
        "cover_days",
        mode="before",
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out but not null")
        return value


class ProductCreate(BaseModel):
    model_config = Strict

    code: Code
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field("vial", min_length=1, max_length=20)
    volume_ml: Millilitres
    lead_time_days: Days
    safety_stock: Count
    review_period_days: Days = 14
    reorder_quantity: Positive | None = None
    cover_days: Days = Field(
        7, description="Days of demand a purchase order covers past the supplier's lead time."
    )


class ProductPublic(ProductCreate):
    model_config = ConfigDict(from_attributes=True)


class KitItem(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    product_code: Code
    quantity: Annotated[StrictInt, Field(ge=1, le=100)]


class KitBody(BaseModel):
    model_config = Strict

    items: list[KitItem] = Field(min_length=1, max_length=50)


class KitPublic(KitBody):
    treatment_code: str


class ReceiptCreate(BaseModel):
    model_config = Strict

    product_code: Code
    lot_number: str = Field(min_length=1, max_length=64)
    expires_on: Day
    quantity: Positive


class LotPublic(BaseModel):
    id: uuid.UUID
    product_code: str
    lot_number: str
    expires_on: date
    quantity: int
    reserved: int
    consumed: int
    on_hand: int
    available: int
    status: LotStatus


class NamedLotBody(BaseModel):
    model_config = Strict

    product_code: str = Field(min_length=1, max_length=50)
    lot_number: str = Field(min_length=1, max_length=64, description="In any case.")


class LotCheckBody(BaseModel):
    model_config = Strict

    session_on: Day = Field(description="The session's clinic-local day.")
    lines: list[NamedLotBody] = Field(min_length=1, max_length=50)


class CheckedLotPublic(BaseModel):
    product_code: str
    lot_number: str = Field(description="As named in the request, trimmed.")
    usable: bool
    reason: LotRefusal | None = Field(description="Why it may not be used; null when it may.")
    detail: str | None = Field(description="The reason in words: `expired on 2030-03-07`.")
    lot_id: uuid.UUID | None
    expires_on: date | None


class LotCheckPublic(BaseModel):
    session_on: date
    usable: bool = Field(description="Whether every line may be used.")
    lines: list[CheckedLotPublic]
