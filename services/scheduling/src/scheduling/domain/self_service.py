"""What a patient may do through their self-service link: pure rules, with now passed in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from scheduling.domain.errors import LinkGone, TooLateToChange
from scheduling.domain.model import UPCOMING, Session


def upcoming(sessions: Sequence[Session], now: datetime) -> list[Session]:
    """The sessions a link shows and acts on: booked or confirmed, not yet started."""
    return sorted(
        (s for s in sessions if s.status in UPCOMING and s.starts_at > now),
        key=lambda s: s.starts_at,
    )


def check_link_standing(*, erased: bool, sessions: Sequence[Session], now: datetime) -> None:
    """A link is revoked once its patient is erased, and expires when its course's last
    upcoming session starts."""
    if erased:
        raise LinkGone("revoked")
    if not upcoming(sessions, now):
        raise LinkGone("expired")


def may_change(starts_at: datetime, now: datetime, notice: timedelta) -> bool:
    """Whether the patient may still cancel or move a session starting at `starts_at`."""
    return starts_at - now >= notice


def check_notice(starts_at: datetime, now: datetime, notice: timedelta) -> None:
    if not may_change(starts_at, now, notice):
        raise TooLateToChange(starts_at, notice.total_seconds() / 3600)
