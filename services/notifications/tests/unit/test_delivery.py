"""After an attempt: sent, retried with a growing delay, or failed for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from notifications.domain.delivery import NextStep, RetryPolicy, after_attempt, backoff

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(timedelta(seconds=30), timedelta(hours=1), max_attempts=6)


def test_the_delay_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    delays = [backoff(n, POLICY).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_permanent_error_fails_at_once() -> None:
    step = after_attempt("permanent", attempts=1, now=NOW, expires_at=None, policy=POLICY)
    assert step == NextStep("failed")


def test_a_transient_error_is_retried_until_the_last_attempt() -> None:
    retry = after_attempt("transient", attempts=2, now=NOW, expires_at=None, policy=POLICY)
    last = after_attempt("transient", attempts=6, now=NOW, expires_at=None, policy=POLICY)
    assert retry == NextStep("scheduled", NOW + timedelta(seconds=60))
    assert last == NextStep("failed")


def test_a_retry_that_would_come_after_the_session_fails_now() -> None:
    step = after_attempt(
        "transient", attempts=1, now=NOW, expires_at=NOW + timedelta(seconds=20), policy=POLICY
    )
    assert step == NextStep("failed")


@given(st.integers(1, 60))
def test_delays_never_shrink_and_stay_within_bounds(attempts: int) -> None:
    assert POLICY.first_delay <= backoff(attempts, POLICY) <= POLICY.max_delay
    assert backoff(attempts, POLICY) <= backoff(attempts + 1, POLICY)


def test_staff_recipients_read_from_a_comma_separated_variable(monkeypatch) -> None:
    from notifications.settings import NotificationsSettings

    monkeypatch.setenv("NOTIFICATIONS_STAFF_ALERT_RECIPIENTS", "a@clinic.example, b@clinic.example")
    recipients = NotificationsSettings().staff_alert_recipients
    assert recipients == ["a@clinic.example", "b@clinic.example"]
