"""The stock view and forecast per product, from lots, bookings and active courses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from inventory.adapters.forecast import UsableLot
from inventory.domain.catalogue import Product
from inventory.domain.forecast import (
    CourseOutlook,
    DayForecast,
    ReorderSuggestion,
    StockLot,
    below_day,
    expected_use,
    project,
    stockout_day,
    suggest_reorder,
)
from inventory.service_layer.scope import ForecastSettings, Scope


@dataclass(frozen=True)
class ProductOutlook:
    product: Product
    on_hand: int
    reserved: int
    expiring_soon: int
    forecast: list[DayForecast]
    reorder: ReorderSuggestion | None

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def projected_stockout_on(self) -> date | None:
        return stockout_day(self.forecast)

    @property
    def below_safety_stock_on(self) -> date | None:
        """The first day projected stock is under the product's safety stock (today when it
        is already): a stock-out need not be foreseen for the stock to be too low."""
        return below_day(self.forecast, self.product.safety_stock)


async def outlooks(
    scope: Scope, today: date, settings: ForecastSettings, only: Collection[str] | None = None
) -> list[ProductOutlook]:
    """Every product's stock and forecast (or only those of the products coded in `only`)."""
    repo = scope.forecast
    products = [p for p in await scope.products.list() if only is None or p.code in only]
    lots: dict[str, list[UsableLot]] = defaultdict(list)
    for lot in await repo.usable_lots(today, only):
        lots[lot.product_code].append(lot)
    booked = await repo.booked_demand(only)
    courses, kits = await repo.active_courses(), await repo.kits()
    results = []
    for product in products:
        outlooks_ = [
            CourseOutlook(
                c.last_session_on,
                max(0, c.sessions_planned - c.sessions_taken),
                kits[c.treatment_code][product.code],
            )
            for c in courses
            if product.code in kits.get(c.treatment_code, {})
        ]
        demand = _from_today(booked.get(product.code, {}), today)
        horizon = _horizon(product, settings)
        expected = expected_use(outlooks_, today, settings.course_pace_days, horizon)
        results.append(_outlook(product, lots[product.code], demand, expected, today, settings))
    return results


def _horizon(product: Product, settings: ForecastSettings) -> int:
    """Days projected: the view's, or enough to see past lead time and review period."""
    return max(settings.days, product.lead_time_days + product.review_period_days + 1)


def _from_today(demand: dict[date, int], today: date) -> dict[date, int]:
    """Booked sessions whose day has passed but which are not completed still count, today."""
    out: dict[date, int] = defaultdict(int)
    for day, vials in demand.items():
        out[max(day, today)] += vials
    return out


def _outlook(
    product: Product,
    lots: list[UsableLot],
    booked: dict[date, int],
    expected: dict[date, int],
    today: date,
    settings: ForecastSettings,
) -> ProductOutlook:
    stock = [StockLot(lot.expires_on, lot.vials) for lot in lots]
    forecast = project(today, _horizon(product, settings), stock, booked, expected)
    soon = today + timedelta(days=settings.expiry_warning_days)
    return ProductOutlook(
        product=product,
        on_hand=sum(lot.vials for lot in lots),
        reserved=sum(lot.reserved for lot in lots),
        expiring_soon=sum(lot.vials - lot.reserved for lot in lots if lot.expires_on <= soon),
        forecast=forecast[: settings.days],
        reorder=suggest_reorder(
            forecast,
            lead_time_days=product.lead_time_days,
            review_period_days=product.review_period_days,
            safety_stock=product.safety_stock,
            lot_size=product.reorder_quantity,
        ),
    )
