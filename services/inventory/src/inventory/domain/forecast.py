"""Projected stock per day, and when to reorder: pure arithmetic, today passed in.

Each day, lots that expire by that day are lost (what they hold expires unused), then the day's
demand (booked sessions, then the expected unbooked sessions of active courses) is drawn from the
remaining lots first-expiry-first. Demand nothing can meet is carried as a deficit, so the
projection goes negative from the day stock runs out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class StockLot:
    expires_on: date
    vials: int  # on hand: received (and adjusted) minus consumed; reserved vials included


@dataclass(frozen=True)
class DayForecast:
    day: date
    booked: int
    expected: int
    expiring: int
    projected: int


@dataclass(frozen=True)
class CourseOutlook:
    """An active course: when its last known session is and how many are left to book."""

    last_session_on: date | None
    sessions_left: int
    vials_per_session: int


@dataclass(frozen=True)
class ReorderSuggestion:
    quantity: int
    projected_stockout_on: date | None
    reason: str
    projected_at_arrival: int  # the stock projected when a delivery ordered today would come
    arrival_on: date
    lead_time_days: int
    safety_stock: int


def project(
    today: date,
    days: int,
    lots: Iterable[StockLot],
    booked: Mapping[date, int],
    expected: Mapping[date, int],
) -> list[DayForecast]:
    """Projected available stock at the end of each of `days` days from today."""
    ordered = sorted(lots, key=lambda lot: lot.expires_on)
    expiries = [lot.expires_on for lot in ordered]
    left = [lot.vials for lot in ordered]
    deficit, out = 0, []
    for offset in range(days):
        day = today + timedelta(days=offset)
        lost = [i for i, expires_on in enumerate(expiries) if expires_on <= day]
        expiring = sum(left[i] for i in lost)
        for i in lost:
            left[i] = 0
        wanted = booked.get(day, 0) + expected.get(day, 0)
        for i, vials in enumerate(left):
            taken = min(wanted, vials)
            left[i] -= taken
            wanted -= taken
        deficit += wanted
        stock = sum(left) - deficit
        out.append(DayForecast(day, booked.get(day, 0), expected.get(day, 0), expiring, stock))
    return out


def stockout_day(forecast: Iterable[DayForecast]) -> date | None:
    """The first day demand cannot be met."""
    return next((d.day for d in forecast if d.projected < 0), None)


def below_day(forecast: Iterable[DayForecast], level: int) -> date | None:
    """The first day projected stock is under `level` (a safety stock)."""
    return next((d.day for d in forecast if d.projected < level), None)


def expected_use(
    outlooks: Iterable[CourseOutlook], today: date, every_days: int, days: int
) -> dict[date, int]:
    """Vials the unbooked sessions of active courses will use in the `days` days from today,
    each `every_days` after the last.

    Counted in days from today, so a course whose last session is booked at the end of the
    calendar (year 9999) adds nothing rather than a date past it.
    """
    use: dict[date, int] = {}
    for course in outlooks:
        start = max((course.last_session_on or today) - today, timedelta(0)).days
        for n in range(1, course.sessions_left + 1):
            offset = start + n * every_days
            if offset >= days:
                break
            day = today + timedelta(days=offset)
            use[day] = use.get(day, 0) + course.vials_per_session
    return use


@dataclass(frozen=True)
class WorstCase:
    """Bounds on a product's stock at the end of its lead time, read without a forecast."""

    product_code: str
    lead_time_days: int
    safety_stock: int
    lasting: int  # vials on hand in valid lots that outlive the lead time
    booked: int  # vials every booked session holds or lacks, whatever its day
    per_course_session: int  # vials one session of each active course using it takes, summed


def surely_holds(worst: WorstCase, *, every_days: int) -> bool:
    """Whether stock at the end of the lead time is sure to be at least the safety stock, so
    `suggest_reorder` would suggest nothing: each vial of demand up to then takes one vial at
    most from the lots that outlive it, and a course's unbooked sessions fall at most
    `lead_time_days // every_days` times in it (see `expected_use`). Exact in one way only:
    True means no reorder; False means a forecast must say."""
    expected = worst.per_course_session * (worst.lead_time_days // every_days)
    return worst.lasting - worst.booked - expected >= worst.safety_stock


def suggest_reorder(
    forecast: list[DayForecast],
    *,
    lead_time_days: int,
    review_period_days: int,
    safety_stock: int,
    lot_size: int | None = None,
) -> ReorderSuggestion | None:
    """Reorder when stock at today + lead time falls below safety stock; enough to cover the lead
    time and the review period after it and still hold the safety stock."""
    arrival = forecast[min(lead_time_days, len(forecast) - 1)]
    at_arrival = arrival.projected
    if at_arrival >= safety_stock:
        return None
    at_next_review = forecast[min(lead_time_days + review_period_days, len(forecast) - 1)]
    quantity = max(1, safety_stock - at_next_review.projected)
    if lot_size:
        quantity = math.ceil(quantity / lot_size) * lot_size
    reason = (
        f"{at_arrival} projected on {arrival.day} "
        f"(lead time {lead_time_days} days) is below the safety stock of {safety_stock}."
    )
    return ReorderSuggestion(
        quantity,
        stockout_day(forecast),
        reason,
        projected_at_arrival=at_arrival,
        arrival_on=arrival.day,
        lead_time_days=lead_time_days,
        safety_stock=safety_stock,
    )
