"""The forecast and reorder arithmetic against numbers worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from inventory.domain.forecast import (
    CourseOutlook,
    StockLot,
    WorstCase,
    expected_use,
    project,
    stockout_day,
    suggest_reorder,
    surely_holds,
)

TODAY = date(2027, 1, 1)
LOTS = [StockLot(date(2027, 1, 20), 5), StockLot(date(2027, 1, 4), 3)]
BOOKED = {date(2027, 1, 2): 2, date(2027, 1, 6): 4}
EXPECTED = {date(2027, 1, 8): 3}


def test_projection_draws_fefo_loses_what_expires_unused_and_carries_the_deficit() -> None:
    forecast = project(TODAY, 10, LOTS, BOOKED, EXPECTED)
    # 8 on hand; 2 used from the Jan 4 lot; its last vial expires unused on Jan 4; 4 used on
    # Jan 6 leaves 1; Jan 8 wants 3 of which 1 is there: 2 short from then on.
    assert [d.projected for d in forecast] == [8, 6, 6, 5, 5, 1, 1, -2, -2, -2]
    assert [d.expiring for d in forecast][3] == 1
    assert sum(d.expiring for d in forecast) == 1
    assert stockout_day(forecast) == date(2027, 1, 8)


def test_reorder_covers_lead_time_and_review_period_above_safety_stock() -> None:
    forecast = project(TODAY, 10, LOTS, BOOKED, EXPECTED)
    # Day 5 (lead time) projects 1 < safety 2; day 8 (lead + review) projects -2: 2 - (-2) = 4.
    suggestion = suggest_reorder(forecast, lead_time_days=5, review_period_days=3, safety_stock=2)
    assert suggestion is not None
    assert (suggestion.quantity, suggestion.projected_stockout_on) == (4, date(2027, 1, 8))
    in_boxes = suggest_reorder(
        forecast, lead_time_days=5, review_period_days=3, safety_stock=2, lot_size=6
    )
    assert in_boxes is not None
    assert in_boxes.quantity == 6


def test_no_reorder_while_stock_at_lead_time_holds_the_safety_stock() -> None:
    forecast = project(TODAY, 10, LOTS, BOOKED, EXPECTED)
    assert suggest_reorder(forecast, lead_time_days=1, review_period_days=3, safety_stock=6) is None


def test_unbooked_sessions_of_active_courses_follow_the_last_one_at_the_course_pace() -> None:
    outlooks = [
        CourseOutlook(date(2027, 1, 5), sessions_left=2, vials_per_session=3),
        CourseOutlook(None, sessions_left=1, vials_per_session=2),
        CourseOutlook(date(2026, 12, 1), sessions_left=0, vials_per_session=9),
    ]
    assert expected_use(outlooks, TODAY, every_days=7, days=60) == {
        date(2027, 1, 12): 3,
        date(2027, 1, 19): 3,
        date(2027, 1, 8): 2,
    }


def test_expected_sessions_past_the_forecast_or_the_calendar_add_nothing() -> None:
    outlooks = [
        CourseOutlook(date(2027, 1, 5), sessions_left=5, vials_per_session=3),
        CourseOutlook(date.max, sessions_left=10, vials_per_session=1),
    ]
    assert expected_use(outlooks, TODAY, every_days=7, days=19) == {
        date(2027, 1, 12): 3,
        date(2027, 1, 19): 3,
    }


lots_strategy = st.lists(
    st.builds(
        StockLot,
        expires_on=st.integers(1, 40).map(lambda d: TODAY + timedelta(days=d)),
        vials=st.integers(0, 20),
    ),
    max_size=5,
)
demand_strategy = st.dictionaries(
    st.integers(0, 29).map(lambda d: TODAY + timedelta(days=d)), st.integers(0, 10), max_size=10
)


@given(lots_strategy, demand_strategy, demand_strategy)
def test_every_vial_is_either_left_used_or_lost_to_expiry(lots, booked, expected) -> None:
    forecast = project(TODAY, 30, lots, booked, expected)
    total = sum(lot.vials for lot in lots)
    demand = lost = 0
    for day in forecast:
        demand += day.booked + day.expected
        lost += day.expiring
        assert day.projected == total - demand - lost
    assert all(a.projected >= b.projected for a, b in pairwise(forecast))


@given(
    lots=st.lists(st.tuples(st.integers(1, 60), st.integers(0, 30)), max_size=5),
    booked=st.dictionaries(st.integers(0, 60), st.integers(1, 10), max_size=8),
    courses=st.lists(
        st.tuples(st.integers(-5, 40), st.integers(0, 10), st.integers(1, 3)), max_size=4
    ),
    lead=st.integers(1, 30),
    pace=st.integers(1, 15),
    safety=st.integers(0, 40),
)
def test_a_product_sure_to_hold_its_safety_stock_gets_no_reorder_from_the_forecast(
    lots: list[tuple[int, int]],
    booked: dict[int, int],
    courses: list[tuple[int, int, int]],
    lead: int,
    pace: int,
    safety: int,
) -> None:
    stock = [StockLot(TODAY + timedelta(days=d), v) for d, v in lots]
    demand = {TODAY + timedelta(days=d): v for d, v in booked.items()}
    outlooks = [CourseOutlook(TODAY + timedelta(days=d), left, v) for d, left, v in courses]
    horizon = lead + 15
    expected = expected_use(outlooks, TODAY, pace, horizon)
    forecast = project(TODAY, horizon, stock, demand, expected)
    worst = WorstCase(
        product_code="p",
        lead_time_days=lead,
        safety_stock=safety,
        lasting=sum(v for d, v in lots if d > lead),  # lots outliving the lead time
        booked=sum(booked.values()),
        per_course_session=sum(v for _, _, v in courses),
    )
    if surely_holds(worst, every_days=pace):
        reorder = suggest_reorder(
            forecast, lead_time_days=lead, review_period_days=14, safety_stock=safety
        )
        assert reorder is None
