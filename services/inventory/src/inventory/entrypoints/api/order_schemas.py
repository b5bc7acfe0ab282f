"""Request and response bodies of the purchase order routes."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from clinic_shared.fields import Day
from inventory.domain.orders import OrderStatus
from inventory.entrypoints.api.schemas import Code, Positive, Strict


class OrderLineBody(BaseModel):
    model_config = Strict

    product_code: Code
    quantity: Positive


class DraftEdit(BaseModel):
    model_config = Strict

    lines: list[OrderLineBody] = Field(min_length=1, max_length=200)


class DraftCreate(DraftEdit):
    supplier_id: uuid.UUID


class OrderReceipt(BaseModel):
    model_config = Strict

    product_code: Code
    lot_number: str = Field(min_length=1, max_length=64)
    expires_on: Day
    quantity: Positive
    over_reason: str | None = Field(
        None,
        min_length=1,
        max_length=500,
        description="Required when the quantity is more than the line has due.",
    )


class OrderLinePublic(BaseModel):
    product_code: str
    quantity: int
    received: int
    due: int = Field(description="Still to come: ordered minus received, never below zero.")
    reason: str = Field(description='Why this quantity: "booked 38, expected 12, on hand 20, ..."')


class OrderPublic(BaseModel):
    id: uuid.UUID
    supplier_id: uuid.UUID
    supplier_name: str
    status: OrderStatus
    expected_on: date | None
    overdue: bool = Field(description="Sent, still due, and past its expected day.")
    due: int = Field(description="Vials still to come over every line.")
    lines: list[OrderLinePublic]


class UnsuppliedProduct(BaseModel):
    """A product the forecast needs ordered that has no preferred supplier."""

    code: str
    name: str
