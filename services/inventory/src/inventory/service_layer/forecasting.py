"""The stock view and forecast per product, from lots, bookings and active courses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from inventory.adapters.forecast import CourseProgress, UsableLot
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


@dataclass(frozen=True)
class Demand:
    """What every product's forecast is computed from, read once."""

    lots: dict[str, list[UsableLot]]
    booked: dict[str, dict[date, int]]
    courses: list[CourseProgress]
    kits: dict[str, dict[str, int]]

    def forecast(
        self, product_code: str, today: date, days: int, pace_days: int
    ) -> list[DayForecast]:
        """The product's projection over `days` days from today."""
        outlooks_ = [
            CourseOutlook(
                c.last_session_on,
                max(0, c.sessions_planned - c.sessions_taken),
                self.kits[c.treatment_code][product_code],
            )
            for c in self.courses
            if product_code in self.kits.get(c.treatment_code, {})
        ]
        booked = _from_today(self.booked.get(product_code, {}), today)
        expected = expected_use(outlooks_, today, pace_days, days)
        stock = [StockLot(lot.expires_on, lot.vials) for lot in self.lots.get(product_code, [])]
        return project(today, days, stock, booked, expected)

    def on_hand(self, product_code: str) -> int:
        return sum(lot.vials for lot in self.lots.get(product_code, []))


async def read_demand(scope: Scope, today: date, only: Collection[str] | None = None) -> Demand:
    """What the forecast of every product (or of those coded in `only`) is computed from."""
    repo = scope.forecast
    lots: dict[str, list[UsableLot]] = defaultdict(list)
    for lot in await repo.usable_lots(today, only):
        lots[lot.product_code].append(lot)
    return Demand(
        dict(lots), await repo.booked_demand(only), await repo.active_courses(), await repo.kits()
    )


async def outlooks(
    scope: Scope, today: date, settings: ForecastSettings, only: Collection[str] | None = None
) -> list[ProductOutlook]:
    """Every product's stock and forecast (or only those of the products coded in `only`)."""
    products = [p for p in await scope.products.list() if only is None or p.code in only]
    demand = await read_demand(scope, today, only)
    results = []
    for product in products:
        horizon = _horizon(product, settings)
        forecast = demand.forecast(product.code, today, horizon, settings.course_pace_days)
        lots = demand.lots.get(product.code, [])
        results.append(_outlook(product, lots, forecast, today, settings))
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
    forecast: list[DayForecast],
    today: date,
    settings: ForecastSettings,
) -> ProductOutlook:
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
