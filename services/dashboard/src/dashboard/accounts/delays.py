"""Growing sign-in delays: the rule that slows password guessing without locking anyone out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Past 2**64 times the first delay any longest delay is reached; the cap keeps the power finite.
_MOST_DOUBLINGS = 64


@dataclass(frozen=True)
class SignInDelays:
    """After `free` wrong passwords, each further attempt waits `first`, then twice as long after
    each further wrong one, up to `longest`. Wrong passwords older than `memory` no longer count.
    """

    free: int
    first: timedelta
    longest: timedelta
    memory: timedelta

    def delay_after(self, failures: int) -> timedelta:
        """How long the attempt after `failures` wrong passwords waits, from the last of them."""
        if failures < self.free:
            return timedelta(0)
        doubled = self.first.total_seconds() * 2.0 ** min(failures - self.free, _MOST_DOUBLINGS)
        return timedelta(seconds=min(doubled, self.longest.total_seconds()))

    def wait(self, times: Sequence[datetime], now: datetime) -> timedelta:
        """How long the next attempt must still wait, given the counted attempts' times."""
        if not times:
            return timedelta(0)
        return self.delay_after(len(times)) - (now - times[-1])

    def starts_delay(self, failures: int) -> bool:
        """This wrong password is the one after which attempts start to wait."""
        return failures == self.free


@dataclass(frozen=True)
class KnownFor:
    """How long a device or an address stays known after an account's last sign-in from it."""

    device: timedelta
    address: timedelta


@dataclass(frozen=True)
class SignInAlert:
    """Wrong passwords that made an account's sign-ins wait, from `since` to `last_at`."""

    account_id: uuid.UUID
    failures: int
    since: datetime
    last_at: datetime
    owner_told_at: datetime | None
