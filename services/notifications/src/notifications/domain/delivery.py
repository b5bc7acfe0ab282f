"""What happens after a send attempt: sent, retried later with backoff, or failed for good."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Outcome = Literal["sent", "transient", "permanent"]


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 6


@dataclass(frozen=True)
class NextStep:
    status: Literal["sent", "scheduled", "failed"]
    due_at: datetime | None = None


def backoff(attempts: int, policy: RetryPolicy) -> timedelta:
    """The wait after the `attempts`-th failed try: doubling from the first delay, capped."""
    factor: int = 2 ** min(max(attempts - 1, 0), 30)
    delay: timedelta = policy.first_delay * factor
    return min(delay, policy.max_delay)


def after_attempt(
    outcome: Outcome,
    *,
    attempts: int,
    now: datetime,
    expires_at: datetime | None,
    policy: RetryPolicy,
) -> NextStep:
    """Where a message goes after its `attempts`-th try ended with `outcome` at `now`."""
    if outcome == "sent":
        return NextStep("sent")
    if outcome == "permanent" or attempts >= policy.max_attempts:
        return NextStep("failed")
    due_at = now + backoff(attempts, policy)
    if expires_at is not None and due_at >= expires_at:
        return NextStep("failed")
    return NextStep("scheduled", due_at)
