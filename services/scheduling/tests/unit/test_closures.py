"""When the clinic is closed: public holidays as whole clinic-local days, and the setting that
names the country."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from scheduling.domain.closures import closed_holidays, local_days
from scheduling.domain.model import AbsenceKind
from scheduling.settings import SchedulingSettings

PARIS = ZoneInfo("Europe/Paris")


def test_a_holiday_closes_its_whole_local_day_and_an_opened_one_closes_nothing() -> None:
    found = {date(2030, 3, 31): "A DST day", date(2030, 4, 22): "Easter Monday"}

    closed = closed_holidays(found, opened={date(2030, 4, 22)}, zone=PARIS)

    assert [(c.kind, c.reason) for c in closed] == [(AbsenceKind.HOLIDAY, "A DST day")]
    # 31 March 2030 is 23 hours long in Paris: midnight CET to midnight CEST.
    assert closed[0].starts_at.astimezone(UTC) == datetime(2030, 3, 30, 23, tzinfo=UTC)
    assert closed[0].ends_at.astimezone(UTC) == datetime(2030, 3, 31, 22, tzinfo=UTC)


def test_a_span_ending_at_midnight_touches_only_the_days_before() -> None:
    start = datetime(2030, 3, 4, 0, tzinfo=PARIS)
    end = datetime(2030, 3, 6, 0, tzinfo=PARIS)
    assert local_days(start, end, PARIS) == [date(2030, 3, 4), date(2030, 3, 5)]


def test_a_country_without_known_holidays_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ascension Island has phone numbers of its own but no calendar in the holidays library.
    monkeypatch.setenv("CLINIC_COUNTRY", "AC")
    with pytest.raises(ValidationError, match="no public holidays for AC"):
        SchedulingSettings()
