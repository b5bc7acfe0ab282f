from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.accounts.delays import SignInDelays

DELAYS = SignInDelays(
    free=5, first=timedelta(minutes=1), longest=timedelta(minutes=15), memory=timedelta(hours=24)
)
NINE = datetime(2030, 3, 4, 9, tzinfo=UTC)


@pytest.mark.parametrize("failures", [0, 1, 4])
def test_the_first_wrong_passwords_make_no_one_wait(failures: int) -> None:
    assert DELAYS.delay_after(failures) == timedelta(0)


@pytest.mark.parametrize(
    ("failures", "minutes"), [(5, 1), (6, 2), (7, 4), (8, 8), (9, 15), (10, 15), (10_000, 15)]
)
def test_from_the_fifth_wrong_password_the_wait_doubles_up_to_fifteen_minutes(
    failures: int, minutes: int
) -> None:
    assert DELAYS.delay_after(failures) == timedelta(minutes=minutes)


def test_the_wait_runs_from_the_last_attempt() -> None:
    tried = [NINE + timedelta(seconds=n) for n in range(6)]  # the sixth waits two minutes

    assert DELAYS.wait(tried, NINE + timedelta(seconds=65)) == timedelta(seconds=60)
    assert DELAYS.wait(tried, NINE + timedelta(seconds=125)) == timedelta(0)


def test_no_attempt_yet_means_no_wait() -> None:
    assert DELAYS.wait([], NINE) == timedelta(0)


def test_only_the_wrong_password_that_reaches_the_threshold_starts_the_delay() -> None:
    assert [DELAYS.starts_delay(n) for n in (4, 5, 6)] == [False, True, False]
