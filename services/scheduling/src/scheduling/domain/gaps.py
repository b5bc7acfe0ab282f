"""Gaps: two consecutive active sessions of a course further apart than its interval allows
(a middle session cancelled or missed), filled first or accepted by staff."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from scheduling.domain.model import Session, Treatment, Window
from scheduling.domain.rules import interval_window, local_day


@dataclass(frozen=True)
class Gap:
    before: Session
    after: Session
    days: int


@dataclass(frozen=True)
class GapAcceptance:
    """Staff's word that the course may go on with its sessions apart over [from_at, to_at]."""

    from_at: datetime
    to_at: datetime
    accepted_by: str
    accepted_at: datetime


def too_far(treatment: Treatment, zone: ZoneInfo, before: datetime, after: datetime) -> bool:
    return (local_day(after, zone) - local_day(before, zone)).days > treatment.max_interval_days


def gaps(sessions: Iterable[Session], treatment: Treatment, zone: ZoneInfo) -> list[Gap]:
    """Each pair of consecutive active sessions further apart than the treatment's bounds."""
    active = sorted((s for s in sessions if s.active), key=lambda s: s.starts_at)
    return [
        Gap(a, b, (local_day(b.starts_at, zone) - local_day(a.starts_at, zone)).days)
        for a, b in pairwise(active)
        if too_far(treatment, zone, a.starts_at, b.starts_at)
    ]


def acceptance_of(gap: Gap, accepted: Sequence[GapAcceptance]) -> GapAcceptance | None:
    """The acceptance covering the gap: one given for it, or for a wider one it is left of."""
    return next(
        (
            a
            for a in accepted
            if a.from_at <= gap.before.starts_at and gap.after.starts_at <= a.to_at
        ),
        None,
    )


def fill_window(
    treatment: Treatment, zone: ZoneInfo, previous: datetime | None, following: datetime | None
) -> Window:
    """The days a session may take between `previous` and `following`.

    Between two sessions within the interval, or beside one, the interval of each. In a gap, the
    days from which the rest of the gap can still be filled by as few sessions as it needs: a
    gap of 20 days (7 to 15) takes one session on days 7 to 13; one of 40 takes two, the first on
    days 10 to 15. A gap no session can fill (11 days, 7 to 10) gives an empty window.
    """
    if previous is None or following is None or not too_far(treatment, zone, previous, following):
        return interval_window(treatment, zone, previous, following)
    first, last = local_day(previous, zone), local_day(following, zone)
    shortest, longest = treatment.min_interval_days, treatment.max_interval_days
    needed = -(-(last - first).days // longest) - 1  # sessions the gap needs, this one included
    return Window(
        max(first + timedelta(days=shortest), last - timedelta(days=needed * longest)),
        min(first + timedelta(days=longest), last - timedelta(days=needed * shortest)),
    )
