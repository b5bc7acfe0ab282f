"""Moves, pure: judged against the neighbours and the interval bounds, gaps included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scheduling.domain.errors import BreaksNextInterval, IntervalViolation
from scheduling.domain.model import Session, SessionStatus, Window
from scheduling.domain.moves import check_move, move_window

from .test_rules import INTENSIVE, PARIS, THIGHS, at, session

DAY = date(2030, 3, 4)


def _course(*offsets: int, cancelled: int | None = None) -> list[Session]:
    sessions = [session(at(DAY + timedelta(days=d))) for d in offsets]
    if cancelled is not None:
        kept = sessions[cancelled]
        sessions[cancelled] = session(kept.starts_at, SessionStatus.CANCELLED)
    return sessions


def _to(target: Session, day: int) -> dict:
    return {target.id: at(DAY + timedelta(days=day))}


def test_a_move_without_a_gap_keeps_both_intervals() -> None:
    first, second, third = _course(0, 8, 16)
    check_move(THIGHS, PARIS, [first, second, third], second, _to(second, 9))
    with pytest.raises(IntervalViolation):
        check_move(THIGHS, PARIS, [first, second, third], second, _to(second, 5))
    with pytest.raises(BreaksNextInterval):
        check_move(THIGHS, PARIS, [first, second, third], second, _to(second, 12))


def test_a_gap_may_narrow_but_not_widen() -> None:
    sessions = _course(0, 9, 18, 28, cancelled=1)
    first, _, third, _ = sessions
    check_move(THIGHS, PARIS, sessions, third, _to(third, 17))
    check_move(THIGHS, PARIS, sessions, first, _to(first, 2))
    with pytest.raises(IntervalViolation):
        check_move(THIGHS, PARIS, sessions, third, _to(third, 19))


def test_a_gap_is_not_narrowed_to_one_no_session_can_fill() -> None:
    """At 7 to 10 days, 14 days take one session (day 7); 12 take none (7 + 5 or 5 + 7)."""
    sessions = _course(0, 7, 14, 21, cancelled=1)
    first, _, third, _ = sessions
    with pytest.raises(IntervalViolation):
        check_move(INTENSIVE, PARIS, sessions, third, _to(third, 12))
    with pytest.raises(BreaksNextInterval):
        check_move(INTENSIVE, PARIS, sessions, first, _to(first, 2))


def test_a_gap_already_unfillable_may_still_narrow() -> None:
    sessions = _course(0, 6, 12, 19, cancelled=1)  # 12 days at 7 to 10: no session fits
    third = sessions[2]
    check_move(INTENSIVE, PARIS, sessions, third, _to(third, 11))


def test_the_window_beside_a_gap_runs_from_the_gap_as_it_is_to_the_interval() -> None:
    sessions = _course(0, 9, 18, 28, cancelled=1)
    first, _, third, _ = sessions
    assert move_window(THIGHS, PARIS, sessions, first, shift_following=False) == Window(
        DAY, DAY + timedelta(days=11)
    )
    assert move_window(THIGHS, PARIS, sessions, third, shift_following=True) == Window(
        DAY + timedelta(days=7), DAY + timedelta(days=18)
    )


def test_the_window_of_an_intensive_gap_leaves_out_the_days_that_make_it_unfillable() -> None:
    sessions = _course(0, 7, 14, 21, cancelled=1)  # 14 days apart: one session, on day 7
    third = sessions[2]
    # Days 11 to 13 leave 11 to 13 days after the first, which no session fills at 7 to 10;
    # day 7 moves the gap after it (14 days to the last, filled on day 14), days 8 to 10 leave
    # more than 10 days to the last. Of the days allowed, the window gives the run the session
    # stands in.
    window = move_window(INTENSIVE, PARIS, sessions, third, shift_following=False)
    assert window == Window(DAY + timedelta(days=14), DAY + timedelta(days=14))
