"""How long the outbox relay waits before retrying a row that failed to publish."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_shared.outbox.relay import MAX_BACKOFF_SECONDS, backoff_seconds


def test_first_retry_comes_quickly_and_doubles_after_each_failure() -> None:
    assert [backoff_seconds(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 16, 32]


def test_backoff_is_capped_at_one_minute() -> None:
    assert MAX_BACKOFF_SECONDS == 60
    assert backoff_seconds(8) == 60
    assert backoff_seconds(50) == 60


def test_zero_or_negative_attempts_wait_the_minimum() -> None:
    assert backoff_seconds(0) == 0.5
    assert backoff_seconds(-3) == 0.5


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=-5, max_value=1000))
def test_backoff_never_shrinks_and_never_exceeds_the_cap(attempts: int) -> None:
    delay = backoff_seconds(attempts)
    assert 0 < delay <= MAX_BACKOFF_SECONDS
    assert backoff_seconds(attempts + 1) >= delay


def test_a_row_failing_for_a_very_long_time_still_gets_the_capped_backoff() -> None:
    assert backoff_seconds(1025) == MAX_BACKOFF_SECONDS
    assert backoff_seconds(1_000_000) == MAX_BACKOFF_SECONDS
