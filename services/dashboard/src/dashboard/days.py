"""The days the pages show and take: from 1970 to ten years ahead. Anything further (a typed
year 9999 or 0001) is a 422 naming the field, before any date arithmetic could overflow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

EARLIEST = date(1970, 1, 1)
AHEAD = timedelta(days=3653)


def latest() -> date:
    return datetime.now(UTC).date() + AHEAD


def in_reach(day: date) -> date:
    if not EARLIEST <= day <= latest():
        raise ValueError(f"outside {EARLIEST} to {latest()}")
    return day


def moment_in_reach(moment: datetime) -> datetime:
    in_reach(moment.date())
    return moment


Day = Annotated[date, AfterValidator(in_reach)]
"""A day in a query string or body: 1970 to ten years from today."""
WallClock = Annotated[datetime, AfterValidator(moment_in_reach)]
"""A day and time in a body, on the same days."""


def _blank_as_none(value: object) -> object:
    return None if value == "" else value


# A form's date input left empty is sent as `from_day=`: no day chosen, not an invalid one.
MaybeDay = Annotated[Day | None, BeforeValidator(_blank_as_none)]
