"""Public holidays of the clinic's country, from the `holidays` library."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays


def supported(country: str) -> bool:
    return country in holidays.list_supported_countries()


@functools.cache
def _calendar(country: str) -> holidays.HolidayBase:
    # One calendar per country, kept: it computes each year once, on its first lookup.
    return holidays.country_holidays(country)


def public_holidays(country: str, first: date, last: date) -> dict[date, str]:
    """The country's public holidays from `first` to `last`, both included, with their names."""
    found: dict[date, str] = {}
    calendar = _calendar(country)
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        name = calendar.get(day)
        if name is not None:
            found[day] = name
    return found
