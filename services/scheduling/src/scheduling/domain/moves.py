"""Whether a session may move: judged against the course's sessions around it and the
interval bounds, gaps included.

A move lands where a booking could (between its new neighbours, filling a gap so that the rest
can still be filled), or keeps a gap the course already has on either side: a session beside
a gap may move so long as that gap grows no wider, and is left no harder to fill. A move never
leaves the sessions around its old place further apart than the interval allows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from scheduling.domain.errors import BreaksNextInterval, IntervalViolation
from scheduling.domain.gaps import fill_window
from scheduling.domain.model import Session, Treatment, Window
from scheduling.domain.rules import interval_window, local_day, neighbours, shift_days


def check_move(
    treatment: Treatment,
    zone: ZoneInfo,
    sessions: Sequence[Session],
    target: Session,
    new_starts: Mapping[uuid.UUID, datetime],
) -> None:
    """Refuse moving `target` (and the sessions in `new_starts` with it) where the course's
    interval does not allow: a 422 for the session before it, a 409 for the one after."""
    after_move = [replace(s, starts_at=new_starts.get(s.id, s.starts_at)) for s in sessions]
    starts_at = new_starts[target.id]
    before, after = neighbours(after_move, starts_at, excluding=target.id)
    _check_left_behind(treatment, zone, after_move, target, (before, after))
    day = local_day(starts_at, zone)
    if fill_window(treatment, zone, _start(before), _start(after)).contains(day):
        return
    old_before, old_after = neighbours(sessions, target.starts_at, excluding=target.id)
    if before is not None and not _spaced(
        treatment, zone, (before, starts_at), (old_before, target.starts_at)
    ):
        raise IntervalViolation(_allowed_after(treatment, zone, before, old_before, target))
    if after is not None and not _spaced(
        treatment, zone, (after, starts_at), (old_after, target.starts_at), forward=True
    ):
        allowed = interval_window(treatment, zone, starts_at)
        raise BreaksNextInterval(
            f"Moving this session breaks the interval before session {after.sequence} "
            f"({after.starts_at.isoformat()}); move it too with shift_following: true.",
            after,
            allowed,
        )


def move_window(
    treatment: Treatment,
    zone: ZoneInfo,
    sessions: Sequence[Session],
    target: Session,
    *,
    shift_following: bool,
) -> Window:
    """The days `target` may move to (at its time of day), alone or with the later sessions
    shifted along: the run of days `check_move` accepts that holds the session's own day, or
    the longest."""
    moving = [target]
    if shift_following:
        moving += [s for s in sessions if s.active and s.starts_at > target.starts_at]
    others = [s for s in sessions if s.id not in {m.id for m in moving}]
    before, after = neighbours(others, target.starts_at, excluding=target.id)
    if before is None and after is None:
        return Window(None, None)
    old = local_day(target.starts_at, zone)
    shortest, longest = treatment.min_interval_days, treatment.max_interval_days
    # check_move accepts no day past these: a day before them widens the gap before, or
    # comes too soon after the previous session; a day after them, the same with the next.
    if before is not None:
        first = local_day(before.starts_at, zone) + timedelta(days=shortest)
    else:
        first = min(_day(after, zone) - timedelta(days=longest), old)
    if after is not None:
        last = local_day(after.starts_at, zone) - timedelta(days=shortest)
    else:
        last = max(_day(before, zone) + timedelta(days=longest), old)
    allowed = [
        day
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
        if _accepts(treatment, zone, sessions, moving, (target, old, day))
    ]
    if not allowed:
        return interval_window(treatment, zone, _start(before), _start(after))
    run = max(_runs(allowed), key=lambda days: (old in days, len(days)))
    return Window(run[0], run[-1])


def _accepts(
    treatment: Treatment,
    zone: ZoneInfo,
    sessions: Sequence[Session],
    moving: Sequence[Session],
    move: tuple[Session, date, date],
) -> bool:
    target, old, day = move
    days = (day - old).days
    new_starts = {s.id: shift_days(s.starts_at, days, zone) for s in moving}
    try:
        check_move(treatment, zone, sessions, target, new_starts)
    except (IntervalViolation, BreaksNextInterval):
        return False
    return True


def _runs(days: list[date]) -> list[list[date]]:
    """Consecutive days, grouped."""
    runs = groupby(enumerate(days), key=lambda pair: pair[1] - timedelta(days=pair[0]))
    return [[day for _, day in run] for _, run in runs]


def _spaced(
    treatment: Treatment,
    zone: ZoneInfo,
    new: tuple[Session, datetime],
    old: tuple[Session | None, datetime],
    *,
    forward: bool = False,
) -> bool:
    """Whether the moved session stands well from its neighbour: within the interval, or as
    part of a gap it already had with that same neighbour, no wider and no harder to fill."""
    neighbour, starts_at = new
    was, old_start = old
    apart = _apart(zone, neighbour.starts_at, starts_at, forward)
    if treatment.min_interval_days <= apart <= treatment.max_interval_days:
        return True
    if was is None or was.id != neighbour.id or apart < treatment.min_interval_days:
        return False
    was_apart = _apart(zone, was.starts_at, old_start, forward)
    return apart <= was_apart and (
        _fillable(treatment, apart) or not _fillable(treatment, was_apart)
    )


def _apart(zone: ZoneInfo, neighbour: datetime, starts_at: datetime, forward: bool) -> int:
    days = (local_day(starts_at, zone) - local_day(neighbour, zone)).days
    return -days if forward else days


def _fillable(treatment: Treatment, apart: int) -> bool:
    """Whether sessions can be booked between two this many days apart (11 days at 7 to 10
    cannot: one session leaves less than 7 on a side, two need 14): the fewest sessions the
    gap needs, each at least the shortest interval from the last."""
    shortest, longest = treatment.min_interval_days, treatment.max_interval_days
    return apart <= longest or -(-apart // longest) * shortest <= apart


def _allowed_after(
    treatment: Treatment, zone: ZoneInfo, before: Session, was: Session | None, target: Session
) -> Window:
    window = interval_window(treatment, zone, before.starts_at)
    if was is None or was.id != before.id or window.latest is None:
        return window
    return Window(window.earliest, max(window.latest, local_day(target.starts_at, zone)))


def _check_left_behind(
    treatment: Treatment,
    zone: ZoneInfo,
    after_move: list[Session],
    target: Session,
    new_neighbours: tuple[Session | None, Session | None],
) -> None:
    """A session moved past a neighbour leaves the two around its old place side by side."""
    left, right = neighbours(after_move, target.starts_at, excluding=target.id)
    if left is None or right is None or (left, right) == new_neighbours:
        return
    window = interval_window(treatment, zone, left.starts_at)
    if not window.contains(local_day(right.starts_at, zone)):
        raise BreaksNextInterval(
            f"Moving this session leaves sessions {left.sequence} and {right.sequence} "
            "too far apart; book or move another session between them first.",
            right,
            window,
        )


def _start(session: Session | None) -> datetime | None:
    return session.starts_at if session else None


def _day(session: Session | None, zone: ZoneInfo) -> date:
    if session is None:
        raise ValueError("no session to count from")
    return local_day(session.starts_at, zone)
