"""The booking rules, pure: intervals, overlaps, hours, and local time across DST."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.domain import rules
from scheduling.domain.errors import (
    IntervalViolation,
    OutsideHorizon,
    OutsideWorkingHours,
    StartsInThePast,
)
from scheduling.domain.model import Session, SessionStatus, Treatment, Window, WorkingHours

PARIS = ZoneInfo("Europe/Paris")
THIGHS = Treatment("cellulite-thighs", "Thighs", "thighs", 30, 10, 7, 15)
INTENSIVE = Treatment("intensive", "Intensive", "thighs", 30, 12, 7, 10)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def session(starts_at: datetime, status: SessionStatus = SessionStatus.BOOKED) -> Session:
    return Session(
        id=uuid.uuid4(),
        course_id=uuid.UUID(int=1),
        patient_id=uuid.UUID(int=4),
        sequence=1,
        practitioner_id=uuid.UUID(int=2),
        room_id=uuid.UUID(int=3),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        status=status,
    )


def test_next_session_must_fall_7_to_15_local_days_after_the_previous() -> None:
    window = rules.interval_window(THIGHS, PARIS, at(date(2030, 3, 4)))
    assert window == Window(date(2030, 3, 11), date(2030, 3, 19))


def test_second_session_six_days_later_is_refused_with_the_window() -> None:
    window = rules.interval_window(THIGHS, PARIS, at(date(2030, 3, 4)))
    with pytest.raises(IntervalViolation) as refused:
        rules.check_interval(at(date(2030, 3, 10)), window, PARIS)
    assert refused.value.extensions["window"] == {"earliest": "2030-03-11", "latest": "2030-03-19"}


def test_intensive_protocol_closes_its_window_after_ten_days() -> None:
    window = rules.interval_window(INTENSIVE, PARIS, at(date(2030, 3, 4)))
    assert window.latest == date(2030, 3, 14)


def test_a_session_between_two_others_must_suit_both() -> None:
    window = rules.interval_window(THIGHS, PARIS, at(date(2030, 3, 1)), at(date(2030, 3, 20)))
    assert window == Window(date(2030, 3, 8), date(2030, 3, 13))


def test_days_are_counted_in_the_clinic_zone_not_utc() -> None:
    late_evening_utc = datetime(2030, 3, 4, 23, 30, tzinfo=UTC)  # already 5 March in Paris
    window = rules.interval_window(THIGHS, PARIS, late_evening_utc)
    assert window.earliest == date(2030, 3, 12)


@given(
    previous=st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)),
    gap=st.integers(min_value=0, max_value=40),
    hour=st.integers(min_value=7, max_value=20),
)
def test_a_start_is_allowed_exactly_when_it_is_7_to_15_days_on(
    previous: date, gap: int, hour: int
) -> None:
    window = rules.interval_window(THIGHS, PARIS, at(previous, 12))
    start = at(previous + timedelta(days=gap), hour)
    allowed = 7 <= gap <= 15
    if allowed:
        rules.check_interval(start, window, PARIS)
    else:
        with pytest.raises(IntervalViolation):
            rules.check_interval(start, window, PARIS)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


@given(
    a=st.integers(0, 200), a_len=st.integers(1, 60), b=st.integers(0, 200), b_len=st.integers(1, 60)
)
def test_overlap_is_symmetric_and_half_open(a: int, a_len: int, b: int, b_len: int) -> None:
    base = datetime(2030, 1, 1, tzinfo=UTC)
    a0, a1 = base + minutes(a), base + minutes(a + a_len)
    b0, b1 = base + minutes(b), base + minutes(b + b_len)
    assert rules.overlaps(a0, a1, b0, b1) == rules.overlaps(b0, b1, a0, a1)
    assert rules.overlaps(a0, a1, b0, b1) == (max(a, b) < min(a + a_len, b + b_len))


def test_back_to_back_sessions_do_not_overlap() -> None:
    start = at(date(2030, 3, 4), 10)
    assert not rules.overlaps(start, start + minutes(30), start + minutes(30), start + minutes(60))


def test_neighbours_ignore_cancelled_and_missed_sessions() -> None:
    first = session(at(date(2030, 3, 1)))
    cancelled = session(at(date(2030, 3, 8)), SessionStatus.CANCELLED)
    missed = session(at(date(2030, 3, 9)), SessionStatus.NO_SHOW)
    later = session(at(date(2030, 3, 20)))
    before, after = rules.neighbours([later, missed, cancelled, first], at(date(2030, 3, 10)))
    assert (before, after) == (first, later)


def test_shifting_a_week_keeps_local_time_across_the_spring_dst_change() -> None:
    before_change = at(date(2030, 3, 28), 10)  # CET, UTC+1
    moved = rules.shift_days(before_change, 7, PARIS)
    assert moved.astimezone(PARIS).time() == time(10)
    elapsed = moved.astimezone(UTC) - before_change.astimezone(UTC)
    assert elapsed == timedelta(days=7) - timedelta(hours=1)


def test_working_hours_contain_the_whole_session() -> None:
    hours = [WorkingHours(0, time(9), time(17))]
    monday = date(2030, 3, 4)
    assert rules.within_hours(at(monday, 16, 30), at(monday, 17), hours, PARIS)
    assert not rules.within_hours(at(monday, 16, 45), at(monday, 17, 15), hours, PARIS)
    assert not rules.within_hours(at(monday, 8, 45), at(monday, 9, 15), hours, PARIS)
    with pytest.raises(OutsideWorkingHours) as refused:
        rules.check_hours(
            at(monday + timedelta(days=1)), at(monday + timedelta(days=1), 10, 30), hours, PARIS
        )
    assert "Not a working day" in refused.value.detail


def test_a_start_before_now_is_refused() -> None:
    now = at(date(2030, 3, 4), 12)
    with pytest.raises(StartsInThePast):
        rules.check_not_past(now - minutes(1), now)
    rules.check_not_past(now, now)


NOW = datetime(2030, 3, 4, 7, tzinfo=UTC)
OFFSETS = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda m: timezone(timedelta(minutes=m))
)


@given(st.datetimes(timezones=OFFSETS))
def test_an_instant_within_the_horizon_can_be_reckoned_with_in_any_zone(instant: datetime) -> None:
    within = rules.EPOCH <= instant <= NOW + rules.HORIZON
    if not within:
        with pytest.raises(OutsideHorizon) as refused:
            rules.check_horizon(instant, NOW, rules.HORIZON, "body.starts_at")
        assert refused.value.extensions["horizon"] == {
            "earliest": "1970-01-01T00:00:00+00:00",
            "latest": "2032-03-03T07:00:00+00:00",
        }
        return
    rules.check_horizon(instant, NOW, rules.HORIZON, "body.starts_at")
    rules.local_day(instant, PARIS)
    rules.shift_days(instant + timedelta(hours=4), 730, PARIS)


def test_the_horizons_days_run_from_1970_to_two_years_on_in_the_clinics_zone() -> None:
    late_evening = datetime(2030, 3, 4, 23, 30, tzinfo=UTC)  # already 5 March in Paris
    rules.check_day_horizon(date(2032, 3, 4), late_evening, rules.HORIZON, PARIS, "body.day")
    rules.check_day_horizon(date(1970, 1, 1), late_evening, rules.HORIZON, PARIS, "body.day")
    for day in (date(2032, 3, 5), date(1969, 12, 31), date(1, 1, 1), date(9999, 12, 31)):
        with pytest.raises(OutsideHorizon):
            rules.check_day_horizon(day, late_evening, rules.HORIZON, PARIS, "body.day")
