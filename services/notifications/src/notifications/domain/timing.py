"""When messages go: clinic wall-clock arithmetic across DST, and quiet hours.

Offsets are measured on the clinic's clock: a 24 h reminder of a 09:00 session goes at 09:00 the day
before, also when a DST change lies between them. A wall time the clock skips or shows twice
resolves to its earlier instant, the safe side for a reminder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from notifications.domain.policy import QuietWindow

ONE_MINUTE = timedelta(minutes=1)
MAX_MOVES = 16


def wall_time(instant: datetime, zone: ZoneInfo) -> datetime:
    """What the clinic's clocks show at `instant` (naive)."""
    return instant.astimezone(zone).replace(tzinfo=None)


def instant_at(wall: datetime, zone: ZoneInfo, *, latest: bool = False) -> datetime:
    """The earliest (or latest) UTC instant the clinic's clocks show `wall`; in a DST gap, the
    instant just before (or after) it."""
    candidates = [wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)]
    return max(candidates) if latest else min(candidates)


def reminder_instant(starts_at: datetime, offset: timedelta, zone: ZoneInfo) -> datetime:
    """`offset` before the session on the clinic's clock."""
    return instant_at(wall_time(starts_at, zone) - offset, zone)


def _window_at(wall: datetime, windows: Sequence[QuietWindow]) -> QuietWindow | None:
    return next((w for w in windows if w.contains(wall.time())), None)


def before_quiet_hours(
    instant: datetime, windows: Sequence[QuietWindow], zone: ZoneInfo
) -> datetime:
    """`instant`, or when it falls in quiet hours, the last allowed minute before them."""
    for _ in range(MAX_MOVES):
        wall = wall_time(instant, zone)
        window = _window_at(wall, windows)
        if window is None:
            return instant
        day = wall.date()
        if window.start > window.end and wall.time() < window.end:
            day -= timedelta(days=1)
        instant = instant_at(datetime.combine(day, window.start) - ONE_MINUTE, zone)
    raise ValueError("quiet hours leave no allowed minute")


def after_quiet_hours(
    instant: datetime, windows: Sequence[QuietWindow], zone: ZoneInfo
) -> datetime:
    """`instant`, or when it falls in quiet hours, the minute they end."""
    for _ in range(MAX_MOVES):
        wall = wall_time(instant, zone)
        window = _window_at(wall, windows)
        if window is None:
            return instant
        day = wall.date()
        if window.start > window.end and wall.time() >= window.start:
            day += timedelta(days=1)
        instant = instant_at(datetime.combine(day, window.end), zone, latest=True)
    raise ValueError("quiet hours leave no allowed minute")


def quiet_hours_hold(
    now: datetime, *, expires_at: datetime | None, windows: Sequence[QuietWindow], zone: ZoneInfo
) -> datetime | None:
    """When a message due at `now` may go: now, or the minute quiet hours end; None when they
    hold it and what it is about starts by then (`expires_at`): a message is never sent after
    a session's start."""
    allowed = after_quiet_hours(now, windows, zone)
    if allowed > now and expires_at is not None and allowed >= expires_at:
        return None
    return allowed
