"""Sizing an order from the forecast: covers lead time plus the cover margin, in whole packs,
never under the supplier's minimum."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from inventory.domain.forecast import StockLot, project
from inventory.domain.sizing import size_order, window_days

TODAY = date(2027, 1, 1)
FAR = date(2099, 1, 1)


def test_the_line_says_why_and_rounds_to_the_pack_and_minimum() -> None:
    booked = {TODAY + timedelta(days=2): 38}
    expected = {TODAY + timedelta(days=9): 12}
    forecast = project(TODAY, 13, [StockLot(FAR, 20)], booked, expected)
    need = size_order(
        forecast,
        on_hand=20,
        on_order=0,
        lead_time_days=5,
        cover_days=7,
        pack_size=12,
        minimum_order=10,
    )
    assert need is not None
    assert need.reason == "booked 38, expected 12, on hand 20, cover 7 days"
    assert need.quantity == 36  # 30 short, in packs of 12


def test_demand_after_the_window_and_stock_already_on_order_are_not_ordered_again() -> None:
    late = {TODAY + timedelta(days=13): 50}
    forecast = project(TODAY, 20, [], late, {})
    terms = {"lead_time_days": 5, "cover_days": 7, "pack_size": 1, "minimum_order": 1}
    assert size_order(forecast, on_hand=0, on_order=0, **terms) is None
    soon = project(TODAY, 20, [], {TODAY: 8}, {})
    assert size_order(soon, on_hand=0, on_order=8, **terms) is None
    need = size_order(soon, on_hand=0, on_order=5, **terms)
    assert need is not None
    assert (need.quantity, need.reason) == (
        3,
        "booked 8, expected 0, on hand 0, on order 5, cover 7 days",
    )


def test_vials_booked_sessions_lack_now_are_ordered_though_the_window_is_covered() -> None:
    forecast = project(TODAY, 13, [StockLot(FAR, 20)], {TODAY + timedelta(days=2): 4}, {})
    terms = {"lead_time_days": 5, "cover_days": 7, "pack_size": 10, "minimum_order": 10}
    need = size_order(forecast, on_hand=20, on_order=0, short_now=5, **terms)
    assert need is not None
    assert (need.quantity, need.reason) == (
        10,
        "booked 4, expected 0, on hand 20, booked sessions lack 5 now, cover 7 days",
    )
    assert size_order(forecast, on_hand=20, on_order=5, short_now=5, **terms) is None


def test_vials_that_expire_before_they_are_used_are_said() -> None:
    forecast = project(
        TODAY, 13, [StockLot(TODAY + timedelta(days=1), 6)], {TODAY + timedelta(days=4): 6}, {}
    )
    need = size_order(
        forecast,
        on_hand=6,
        on_order=0,
        lead_time_days=5,
        cover_days=7,
        pack_size=1,
        minimum_order=1,
    )
    assert need is not None
    assert need.quantity == 6
    assert "expiring unused 6" in need.reason


days = st.integers(min_value=0, max_value=40)
lots = st.lists(
    st.builds(StockLot, st.dates(TODAY, TODAY + timedelta(days=60)), st.integers(0, 50)), max_size=4
)
demand = st.dictionaries(
    st.dates(TODAY, TODAY + timedelta(days=60)), st.integers(0, 30), max_size=10
)


@given(
    lots=lots,
    booked=demand,
    expected=demand,
    lead=st.integers(0, 30),
    cover=st.integers(0, 20),
    on_order=st.integers(0, 60),
    pack=st.integers(1, 25),
    minimum=st.integers(1, 100),
)
def test_an_order_covers_the_forecast_through_lead_time_and_cover_in_packs_above_the_minimum(
    lots: list[StockLot],
    booked: dict[date, int],
    expected: dict[date, int],
    lead: int,
    cover: int,
    on_order: int,
    pack: int,
    minimum: int,
) -> None:
    span = window_days(lead, cover)
    forecast = project(TODAY, span, lots, booked, expected)
    need = size_order(
        forecast,
        on_hand=sum(lot.vials for lot in lots),
        on_order=on_order,
        lead_time_days=lead,
        cover_days=cover,
        pack_size=pack,
        minimum_order=minimum,
    )
    ordered = 0 if need is None else need.quantity
    if need is not None:
        assert need.quantity % pack == 0
        assert need.quantity >= minimum
        assert need.quantity - pack < max(minimum, -forecast[-1].projected - on_order)
    # What arrives (this order and what was already on order) meets every day's demand.
    arriving = StockLot(FAR, ordered + on_order)
    covered = project(TODAY, span, [*lots, arriving], booked, expected)
    assert all(day.projected >= 0 for day in covered)
