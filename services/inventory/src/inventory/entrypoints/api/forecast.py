"""The stock view per product, and its forecast from bookings and active courses."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from clinic_shared.errors import NotFound
from inventory.entrypoints.api.deps import Reader, ScopeDep, TodayDep
from inventory.entrypoints.api.forecast_schemas import (
    DayPublic,
    ForecastPublic,
    ReorderPublic,
    StockPublic,
)
from inventory.service_layer.forecasting import ProductOutlook, outlooks
from inventory.service_layer.scope import ForecastSettings
from inventory.service_layer.traceability import shortages_per_product

router = APIRouter(prefix="/v1/stock", tags=["stock"])


@router.get("", response_model=list[StockPublic])
async def stock_view(scope: ScopeDep, today: TodayDep, _: Reader) -> list[StockPublic]:
    """Per product: on hand, reserved, available, expiring soon, projected stock-out date, the
    day stock falls under the safety stock and the reorder that calls for."""
    settings = scope.forecast_settings
    short = await shortages_per_product(scope)
    return [
        _stock(outlook, settings, short.get(outlook.product.code))
        for outlook in await outlooks(scope, today, settings)
    ]


@router.get("/{product_code}/forecast", response_model=ForecastPublic)
async def forecast(
    product_code: str,
    scope: ScopeDep,
    today: TodayDep,
    _: Reader,
    days: Annotated[int | None, Query(ge=1, le=365)] = None,
) -> ForecastPublic:
    """Projected available stock per day, and the reorder it calls for, if any."""
    chosen = replace(scope.forecast_settings, days=days or scope.settings.forecast_days)
    found = await outlooks(scope, today, chosen, only={product_code})
    if not found:
        raise NotFound(f"No product {product_code!r}.")
    [outlook] = found
    reorder = outlook.reorder
    return ForecastPublic(
        product_code=outlook.product.code,
        lead_time_days=outlook.product.lead_time_days,
        safety_stock=outlook.product.safety_stock,
        projected_stockout_on=outlook.projected_stockout_on,
        reorder=ReorderPublic(**asdict(reorder)) if reorder else None,
        days=[
            DayPublic(
                day=d.day,
                booked=d.booked,
                expected=d.expected,
                expiring=d.expiring,
                projected_available=d.projected,
            )
            for d in outlook.forecast
        ],
    )


def _stock(
    outlook: ProductOutlook, settings: ForecastSettings, short: tuple[int, int, date] | None
) -> StockPublic:
    sessions, vials, first = short or (0, 0, None)
    return StockPublic(
        product_code=outlook.product.code,
        on_hand=outlook.on_hand,
        reserved=outlook.reserved,
        available=outlook.available,
        expiring_soon=outlook.expiring_soon,
        expiring_window_days=settings.expiry_warning_days,
        projected_stockout_on=outlook.projected_stockout_on,
        safety_stock=outlook.product.safety_stock,
        below_safety_stock_on=outlook.below_safety_stock_on,
        reorder_quantity=outlook.reorder.quantity if outlook.reorder else None,
        forecast_days=settings.days,
        short_sessions=sessions,
        short_vials=vials,
        first_short_on=first,
    )
