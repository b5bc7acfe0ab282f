"""Session days in the clinic's zone, and what an adjustment may do to a lot."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from clinic_shared.errors import Unprocessable
from inventory.domain.adjustments import adjusted_quantity, reserved_allowed
from inventory.domain.lots import Lot
from inventory.domain.sessions import session_day, still_needed

PARIS = ZoneInfo("Europe/Paris")


def test_a_session_late_in_the_utc_evening_falls_on_the_next_clinic_day() -> None:
    assert session_day(datetime(2027, 3, 1, 23, 30, tzinfo=UTC), PARIS) == date(2027, 3, 2)
    assert session_day(datetime(2027, 3, 1, 22, 59, tzinfo=UTC), PARIS) == date(2027, 3, 1)


def test_a_session_whose_clinic_day_is_past_the_calendar_falls_on_its_last_day() -> None:
    assert session_day(datetime(9999, 12, 31, 23, 30, tzinfo=UTC), PARIS) == date.max
    new_york = ZoneInfo("America/New_York")
    assert session_day(datetime(1, 1, 1, 1, tzinfo=UTC), new_york) == date.min


def test_a_kit_line_already_held_needs_nothing_more() -> None:
    assert still_needed(2, 0) == 2
    assert still_needed(2, 3) == 0


LOT = Lot(uuid.uuid4(), "caffeine", "CAF-1", date(2027, 6, 1), 10, 4, 3, "available")


def test_a_count_sets_the_vials_on_hand_and_keeps_what_was_used() -> None:
    assert adjusted_quantity(LOT, "count_correction", 5) == 8
    assert reserved_allowed(8, LOT.consumed) == 5


def test_breakage_removes_vials_but_never_more_than_are_on_hand() -> None:
    assert adjusted_quantity(LOT, "breakage", 7) == 3
    with pytest.raises(Unprocessable) as refused:
        adjusted_quantity(LOT, "disposal", 8)
    assert refused.value.extensions["errors"][0]["field"] == "body.quantity"
