"""Planning a whole course: every session placed, each one checked."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.domain.model import TimeOff, Treatment, WorkingHours
from scheduling.domain.planning import Calendar, NoSlot, PlanRequest, plan_course

PARIS = ZoneInfo("Europe/Paris")
THIGHS = Treatment("cellulite-thighs", "Thighs", "thighs", 30, 10, 7, 15)
ROOM = uuid.UUID(int=7)
WEEKDAYS_9_TO_18 = [WorkingHours(d, time(9), time(18)) for d in range(5)]
NOW = datetime(2030, 3, 1, 8, 0, tzinfo=PARIS)


def calendar(**overrides: object) -> Calendar:
    values: dict[str, object] = {
        "zone": PARIS,
        "hours": WEEKDAYS_9_TO_18,
        "time_off": [],
        "practitioner_busy": [],
        "patient_busy": [],
        "free_room": lambda start, end: ROOM,
    }
    values.update(overrides)
    return Calendar(**values)  # type: ignore[arg-type]


def request(**overrides: object) -> PlanRequest:
    values: dict[str, object] = {
        "first_day": date(2030, 3, 4),
        "sessions_to_plan": 10,
        "next_sequence": 1,
        "time_of_day": time(10),
    }
    values.update(overrides)
    return PlanRequest(**values)  # type: ignore[arg-type]


def test_ten_sessions_each_7_to_15_days_after_the_one_before() -> None:
    plan = plan_course(request(), THIGHS, calendar(), None, NOW)
    assert [p.sequence for p in plan] == list(range(1, 11))
    days = [p.starts_at.astimezone(PARIS).date() for p in plan]
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    assert all(7 <= gap <= 15 for gap in gaps)
    assert all(p.starts_at.astimezone(PARIS).weekday() < 5 for p in plan)


def test_plan_across_the_dst_change_keeps_ten_oclock_local() -> None:
    plan = plan_course(request(), THIGHS, calendar(), None, NOW)
    assert {p.starts_at.astimezone(PARIS).time() for p in plan} == {time(10)}
    offsets = {p.starts_at.astimezone(PARIS).utcoffset() for p in plan}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}


def test_plan_skips_a_week_of_time_off() -> None:
    away = TimeOff(
        datetime(2030, 3, 11, tzinfo=PARIS), datetime(2030, 3, 18, tzinfo=PARIS), "holiday"
    )
    plan = plan_course(request(sessions_to_plan=3), THIGHS, calendar(time_off=[away]), None, NOW)
    days = [p.starts_at.astimezone(PARIS).date() for p in plan]
    assert days[0] == date(2030, 3, 4)
    assert days[1] == date(2030, 3, 18)  # the first day back, still within 15 days
    assert not any(date(2030, 3, 11) <= d < date(2030, 3, 18) for d in days)


def test_preferred_weekday_is_chosen_when_the_window_has_one() -> None:
    plan = plan_course(
        request(sessions_to_plan=4, weekdays=frozenset({3})), THIGHS, calendar(), None, NOW
    )
    assert {p.starts_at.astimezone(PARIS).weekday() for p in plan} == {3}


def test_a_busy_ten_oclock_moves_to_another_time_the_same_day() -> None:
    busy = [(datetime(2030, 3, 4, 10, tzinfo=PARIS), datetime(2030, 3, 4, 11, tzinfo=PARIS))]
    plan = plan_course(
        request(sessions_to_plan=1), THIGHS, calendar(practitioner_busy=busy), None, NOW
    )
    start = plan[0].starts_at.astimezone(PARIS)
    assert start.date() == date(2030, 3, 4)
    assert start.time() == time(9)


def test_no_room_free_in_the_window_names_the_session_that_cannot_be_placed() -> None:
    with pytest.raises(NoSlot) as refused:
        plan_course(
            request(sessions_to_plan=2), THIGHS, calendar(free_room=lambda s, e: None), None, NOW
        )
    assert refused.value.sequence == 1


def test_the_patients_other_sessions_are_busy_times_too() -> None:
    busy = [(datetime(2030, 3, 4, 10, tzinfo=PARIS), datetime(2030, 3, 4, 10, 30, tzinfo=PARIS))]
    plan = plan_course(request(sessions_to_plan=1), THIGHS, calendar(patient_busy=busy), None, NOW)
    assert plan[0].starts_at.astimezone(PARIS).time() == time(9)


def test_nothing_is_proposed_past_the_horizons_last_day() -> None:
    with pytest.raises(NoSlot) as refused:
        plan_course(
            request(sessions_to_plan=2, last_day=date(2030, 3, 10)), THIGHS, calendar(), None, NOW
        )
    assert refused.value.sequence == 2
    assert refused.value.last == date(2030, 3, 10)
