"""What makes a reminder policy invalid."""

from __future__ import annotations

from datetime import time

import pytest

from clinic_shared.errors import Unprocessable
from notifications.domain.policy import (
    DEFAULT_POLICY,
    Policy,
    QuietWindow,
    ReminderRule,
    check_policy,
    policy_problems,
)


def with_quiet(*windows: tuple[int, int]) -> Policy:
    quiet = tuple(QuietWindow(time(start), time(end)) for start, end in windows)
    return Policy(DEFAULT_POLICY.reminders, quiet, 60)


def test_the_default_policy_is_valid() -> None:
    check_policy(DEFAULT_POLICY)
    assert policy_problems(with_quiet((20, 8), (12, 14))) == []


def test_overlapping_quiet_windows_are_refused() -> None:
    assert policy_problems(with_quiet((20, 8), (7, 9))) == [
        {"field": "body.quiet_hours", "reason": "windows overlap"}
    ]


def test_an_empty_quiet_window_is_refused() -> None:
    assert policy_problems(with_quiet((9, 9)))[0]["reason"] == "start and end must differ"


def test_quiet_hours_must_leave_an_hour_a_day() -> None:
    assert policy_problems(with_quiet((8, 20), (20, 7))) == []
    assert policy_problems(with_quiet((8, 20), (20, 8)))[0]["reason"] == (
        "leave at least one hour a day"
    )


def test_offsets_must_be_positive_and_distinct() -> None:
    policy = Policy(
        (ReminderRule(0, "sms"), ReminderRule(24, "sms"), ReminderRule(24, "sms")), (), 0
    )
    with pytest.raises(Unprocessable) as raised:
        check_policy(policy)
    assert [p["field"] for p in raised.value.extensions["errors"]] == [
        "body.reminders.0.offset_hours",
        "body.reminders",
    ]
