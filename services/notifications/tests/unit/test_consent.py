"""Consent is the patient's: what staff may change, what a START gives back."""

from __future__ import annotations

import pytest

from notifications.domain.consent import Entry, check_staff_may_grant_sms, taken_by_stop
from notifications.domain.errors import StoppedBySms


def test_staff_may_give_back_sms_they_withdrew_themselves() -> None:
    check_staff_may_grant_sms(latest_sms=Entry("opt_out", "staff"), number_stopped=False)
    check_staff_may_grant_sms(latest_sms=None, number_stopped=False)


@pytest.mark.parametrize(
    ("latest", "number_stopped"),
    [(Entry("opt_out", "sms_reply"), False), (None, True), (Entry("opt_in", "staff"), True)],
)
def test_after_a_stop_only_the_patients_start_gives_sms_back(
    latest: Entry | None, number_stopped: bool
) -> None:
    with pytest.raises(StoppedBySms) as refused:
        check_staff_may_grant_sms(latest_sms=latest, number_stopped=number_stopped)
    assert refused.value.status == 409
    assert "START" in refused.value.detail


def test_a_start_gives_back_only_what_a_stop_took() -> None:
    assert taken_by_stop(Entry("opt_out", "sms_reply"))
    assert not taken_by_stop(Entry("opt_out", "staff"))
    assert not taken_by_stop(Entry("opt_in", "staff"))
    assert not taken_by_stop(None)
