"""The reminder policy: when each message goes, and the hours when none may."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Literal

from notifications.domain.errors import InvalidPolicy

Channel = Literal["sms", "email"]
MINUTES_PER_DAY = 24 * 60
MIN_ALLOWED_MINUTES_PER_DAY = 60


@dataclass(frozen=True)
class ReminderRule:
    """A reminder `offset_hours` before the session (on the clinic's clock), by `channel`."""

    offset_hours: int
    channel: Channel

    @property
    def offset(self) -> timedelta:
        return timedelta(hours=self.offset_hours)


@dataclass(frozen=True)
class QuietWindow:
    """Clinic-local hours with no reminders; `start` after `end` spans midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def minute_ranges(self) -> list[tuple[int, int]]:
        """The window as half-open minute-of-day ranges (two when it spans midnight)."""
        start, end = _minute(self.start), _minute(self.end)
        if start < end:
            return [(start, end)]
        return [(start, MINUTES_PER_DAY), (0, end)]


@dataclass(frozen=True)
class Policy:
    reminders: tuple[ReminderRule, ...]
    quiet_hours: tuple[QuietWindow, ...]
    aftercare_delay_minutes: int


DEFAULT_POLICY = Policy(
    reminders=(ReminderRule(48, "email"), ReminderRule(24, "sms")),
    quiet_hours=(QuietWindow(time(20, 0), time(8, 0)),),
    aftercare_delay_minutes=120,
)


def _minute(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def policy_problems(policy: Policy) -> list[dict[str, str]]:
    """What makes `policy` unusable, one entry per problem (empty when it is sane)."""
    problems = [
        {"field": f"body.reminders.{i}.offset_hours", "reason": "must be greater than 0"}
        for i, rule in enumerate(policy.reminders)
        if rule.offset_hours <= 0
    ]
    keys = [(r.offset_hours, r.channel) for r in policy.reminders]
    if len(set(keys)) != len(keys):
        problems.append({"field": "body.reminders", "reason": "the same offset and channel twice"})
    if policy.aftercare_delay_minutes < 0:
        problems.append({"field": "body.aftercare_delay_minutes", "reason": "must not be negative"})
    return problems + _quiet_hours_problems(policy.quiet_hours)


def _quiet_hours_problems(windows: tuple[QuietWindow, ...]) -> list[dict[str, str]]:
    problems = [
        {"field": f"body.quiet_hours.{i}", "reason": "start and end must differ"}
        for i, w in enumerate(windows)
        if w.start == w.end
    ]
    if problems:
        return problems
    ranges = sorted(r for w in windows for r in w.minute_ranges())
    if any(later[0] < earlier[1] for earlier, later in itertools.pairwise(ranges)):
        problems.append({"field": "body.quiet_hours", "reason": "windows overlap"})
    elif sum(end - start for start, end in ranges) > MINUTES_PER_DAY - MIN_ALLOWED_MINUTES_PER_DAY:
        problems.append({"field": "body.quiet_hours", "reason": "leave at least one hour a day"})
    return problems


def check_policy(policy: Policy) -> None:
    """Raise InvalidPolicy (422) naming every problem of `policy`."""
    if problems := policy_problems(policy):
        raise InvalidPolicy(problems)
