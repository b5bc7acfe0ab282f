"""Clinic wall-clock arithmetic across DST, and quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from notifications.domain.policy import QuietWindow
from notifications.domain.timing import (
    after_quiet_hours,
    before_quiet_hours,
    instant_at,
    quiet_hours_hold,
    reminder_instant,
    wall_time,
)

PARIS = ZoneInfo("Europe/Paris")
NIGHT = (QuietWindow(time(20, 0), time(8, 0)),)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from(
    [PARIS, ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")]
)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def test_reminders_of_the_morning_after_spring_forward_keep_the_local_time() -> None:
    # Clocks went forward on Sunday 29 March 2026 at 02:00 in Paris.
    starts_at = paris(2026, 3, 30, 9, 0)
    day_before = reminder_instant(starts_at, timedelta(hours=24), PARIS)
    two_days_before = reminder_instant(starts_at, timedelta(hours=48), PARIS)
    assert day_before == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert two_days_before == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert starts_at - two_days_before == timedelta(hours=47)


def test_reminders_across_fall_back_keep_the_local_time() -> None:
    starts_at = paris(2026, 10, 26, 9, 30)  # the Monday after clocks went back
    two_days_before = reminder_instant(starts_at, timedelta(hours=48), PARIS)
    assert wall_time(two_days_before, PARIS) == datetime(2026, 10, 24, 9, 30)
    assert starts_at - two_days_before == timedelta(hours=49)


def test_a_wall_time_the_clock_skips_resolves_before_the_gap() -> None:
    assert instant_at(datetime(2026, 3, 29, 2, 30), PARIS) == datetime(
        2026, 3, 29, 0, 30, tzinfo=UTC
    )


def test_a_reminder_in_the_evening_quiet_hours_moves_to_the_last_allowed_minute() -> None:
    moved = before_quiet_hours(paris(2026, 5, 4, 21, 15), NIGHT, PARIS)
    assert wall_time(moved, PARIS) == datetime(2026, 5, 4, 19, 59)


def test_a_reminder_in_the_early_morning_moves_to_the_evening_before() -> None:
    moved = before_quiet_hours(paris(2026, 5, 5, 7, 30), NIGHT, PARIS)
    assert wall_time(moved, PARIS) == datetime(2026, 5, 4, 19, 59)


def test_a_message_in_quiet_hours_can_wait_until_they_end() -> None:
    assert wall_time(after_quiet_hours(paris(2026, 5, 4, 22, 0), NIGHT, PARIS), PARIS) == (
        datetime(2026, 5, 5, 8, 0)
    )
    assert after_quiet_hours(paris(2026, 5, 4, 12, 0), NIGHT, PARIS) == paris(2026, 5, 4, 12, 0)


@st.composite
def quiet_windows(draw: st.DrawFn) -> tuple[QuietWindow, ...]:
    start = draw(st.integers(0, 24 * 60 - 1))
    length = draw(st.integers(1, 23 * 60))
    end = (start + length) % (24 * 60)
    return (QuietWindow(time(start // 60, start % 60), time(end // 60, end % 60)),)


@given(instants, quiet_windows(), zones)
def test_moving_before_quiet_hours_lands_outside_them_and_never_later(
    instant: datetime, windows: tuple[QuietWindow, ...], zone: ZoneInfo
) -> None:
    moved = before_quiet_hours(instant, windows, zone)
    assert moved <= instant
    assert instant - moved < timedelta(hours=25)
    assert not any(w.contains(wall_time(moved, zone).time()) for w in windows)


@given(instants, quiet_windows(), zones)
def test_waiting_for_quiet_hours_to_end_lands_outside_them_and_never_earlier(
    instant: datetime, windows: tuple[QuietWindow, ...], zone: ZoneInfo
) -> None:
    moved = after_quiet_hours(instant, windows, zone)
    assert moved >= instant
    assert moved - instant < timedelta(hours=25)
    assert not any(w.contains(wall_time(moved, zone).time()) for w in windows)


@given(instants, st.integers(1, 24 * 14), zones)
def test_a_reminder_shows_the_sessions_wall_time_offset_hours_earlier(
    starts_at: datetime, hours: int, zone: ZoneInfo
) -> None:
    offset = timedelta(hours=hours)
    sent = reminder_instant(starts_at, offset, zone)
    wanted = wall_time(starts_at, zone) - offset
    assert sent < starts_at
    # Equal, unless the clock skipped that wall time: then the instant just before the gap.
    assert wall_time(sent, zone) == wanted or wall_time(sent, zone) < wanted
    assert abs(starts_at - sent - offset) <= timedelta(hours=1)


def test_a_message_due_in_quiet_hours_waits_for_their_end_or_is_dropped() -> None:
    def hold(now: datetime, expires_at: datetime | None) -> datetime | None:
        return quiet_hours_hold(now, expires_at=expires_at, windows=NIGHT, zone=PARIS)

    late = paris(2026, 5, 4, 23, 10)  # a catch-up after downtime
    morning = paris(2026, 5, 5, 8, 0)
    assert hold(late, paris(2026, 5, 5, 9, 0)) == morning
    assert hold(late, paris(2026, 5, 5, 7, 30)) is None  # the session starts first
    assert hold(late, None) == morning
    day = paris(2026, 5, 5, 12, 0)
    assert hold(day, paris(2026, 5, 5, 13, 0)) == day
