"""Receipt and kit rules, pure."""

from __future__ import annotations

import string
import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_shared.errors import Conflict, Unprocessable
from inventory.domain.catalogue import KitLine, check_kit_lines
from inventory.domain.lots import Lot, check_receipt, effective_status, lot_key

TODAY = date(2026, 11, 26)


def lot(expires_on: date, status: str = "available") -> Lot:
    return Lot(uuid.uuid4(), "caffeine", "CAF-1", expires_on, 10, 0, 0, status)  # type: ignore[arg-type]


def test_a_lot_expiring_today_is_refused() -> None:
    with pytest.raises(Unprocessable):
        check_receipt(expires_on=TODAY, today=TODAY, existing=None)


def test_a_known_lot_with_another_expiry_is_a_conflict() -> None:
    with pytest.raises(Conflict):
        check_receipt(expires_on=date(2027, 3, 1), today=TODAY, existing=lot(date(2027, 2, 1)))


def test_a_recalled_lot_receives_nothing() -> None:
    with pytest.raises(Conflict):
        check_receipt(
            expires_on=date(2027, 2, 1), today=TODAY, existing=lot(date(2027, 2, 1), "recalled")
        )


def test_an_available_lot_past_expiry_reads_as_expired_and_recalled_stays_recalled() -> None:
    assert effective_status("available", TODAY, TODAY) == "expired"
    assert effective_status("available", date(2026, 11, 27), TODAY) == "available"
    assert effective_status("recalled", TODAY, TODAY) == "recalled"


def test_a_kit_naming_a_product_twice_or_an_unknown_one_names_each_line() -> None:
    lines = [KitLine("caffeine", 1), KitLine("caffeine", 2), KitLine("gold", 1)]
    with pytest.raises(Unprocessable) as caught:
        check_kit_lines(lines, {"caffeine"})
    fields = [e["field"] for e in caught.value.extensions["errors"]]
    assert fields == ["body.items.1.product_code", "body.items.2.product_code"]


def test_a_lot_number_is_one_lot_in_any_case_and_with_stray_spaces() -> None:
    assert lot_key("b-2403 ") == lot_key("B-2403") == lot_key("\tB-2403\n")
    assert lot_key("B-2403") != lot_key("B-2404")
    assert lot_key("B 2403") != lot_key("B2403")  # spaces inside are part of the number


PRINTED = st.text(string.ascii_letters + string.digits + "-/. ", min_size=1, max_size=20)


@given(PRINTED, st.sampled_from(["", " ", "  ", "\t"]))
def test_case_and_surrounding_spaces_never_change_a_lots_key(number: str, pad: str) -> None:
    key = lot_key(number)
    assert lot_key(pad + number.upper() + pad) == lot_key(number.lower()) == key
    assert lot_key(key) == key
