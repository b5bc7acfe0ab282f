"""Response bodies of the stock view and the forecast."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class StockPublic(BaseModel):
    product_code: str
    on_hand: int
    reserved: int
    available: int
    expiring_soon: int
    expiring_window_days: int
    projected_stockout_on: date | None = Field(description="The first day demand goes unmet.")
    safety_stock: int
    below_safety_stock_on: date | None = Field(
        description="The first day projected stock is under the safety stock (today when it "
        "already is), with or without a stock-out foreseen."
    )
    reorder_quantity: int | None = Field(
        description="What to order now (see the product's forecast), or null."
    )
    forecast_days: int = Field(
        description="Days `projected_stockout_on` looks ahead: null means none within them."
    )
    short_sessions: int = Field(
        description="Booked sessions that lack the product now (what its shortage alert says)."
    )
    short_vials: int = Field(description="Vials those sessions lack in all.")
    first_short_on: date | None = Field(description="The day of the earliest of them.")


class DayPublic(BaseModel):
    day: date
    booked: int
    expected: int
    expiring: int
    projected_available: int


class ReorderPublic(BaseModel):
    quantity: int
    projected_stockout_on: date | None
    reason: str


class ForecastPublic(BaseModel):
    product_code: str
    lead_time_days: int
    safety_stock: int
    projected_stockout_on: date | None
    reorder: ReorderPublic | None
    days: list[DayPublic]
