"""Gaps, pure: which pairs of sessions are too far apart, and where a session may fill one."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from scheduling.domain.gaps import fill_window, gaps
from scheduling.domain.model import SessionStatus, Window

from .test_rules import INTENSIVE, PARIS, THIGHS, at, session

DAY = date(2030, 3, 4)


def _window(first: int, last: int) -> Window:
    return Window(DAY + timedelta(days=first), DAY + timedelta(days=last))


def test_only_active_neighbours_further_apart_than_the_interval_are_a_gap() -> None:
    first, cancelled, third, fourth = (
        session(at(DAY + timedelta(days=d))) for d in (0, 10, 19, 29)
    )
    dropped = session(cancelled.starts_at, SessionStatus.CANCELLED)

    assert gaps([first, cancelled, third, fourth], THIGHS, PARIS) == []
    [gap] = gaps([first, dropped, third, fourth], THIGHS, PARIS)
    assert (gap.before, gap.after, gap.days) == (first, third, 19)


def test_one_session_fills_a_gap_of_up_to_two_intervals() -> None:
    assert fill_window(THIGHS, PARIS, at(DAY), at(DAY + timedelta(days=20))) == _window(7, 13)


def test_a_wider_gap_is_filled_so_that_as_few_sessions_close_the_rest() -> None:
    window = fill_window(THIGHS, PARIS, at(DAY), at(DAY + timedelta(days=40)))
    assert window == _window(10, 15)  # leaves 25 to 30 days: one more session


def test_a_gap_no_session_can_fill_gives_an_empty_window() -> None:
    assert fill_window(INTENSIVE, PARIS, at(DAY), at(DAY + timedelta(days=11))).empty


@given(st.integers(min_value=16, max_value=120), st.data())
def test_a_day_in_the_fill_window_leaves_a_gap_the_rest_can_close(
    span: int, data: st.DataObject
) -> None:
    window = fill_window(THIGHS, PARIS, at(DAY), at(DAY + timedelta(days=span)))
    if window.empty:
        return
    assert window.earliest is not None
    assert window.latest is not None
    chosen = data.draw(st.integers((window.earliest - DAY).days, (window.latest - DAY).days))
    needed = -(-span // THIGHS.max_interval_days) - 1
    rest = span - chosen
    assert THIGHS.min_interval_days <= chosen <= THIGHS.max_interval_days
    assert needed * THIGHS.min_interval_days <= rest
    assert rest <= needed * THIGHS.max_interval_days
