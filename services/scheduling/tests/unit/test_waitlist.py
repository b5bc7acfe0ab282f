"""Which waiting courses a freed slot goes to, and how an offer stands: pure rules."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.domain.errors import LinkGone, OfferGone
from scheduling.domain.model import Window
from scheduling.domain.waitlist import (
    Candidate,
    Offer,
    OfferStatus,
    Slot,
    check_takeable,
    expiry,
    is_offered,
    state,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2030, 3, 4, 7, tzinfo=UTC)
DOCTOR = uuid.uuid4()
SLOT = Slot(
    DOCTOR,
    uuid.uuid4(),
    datetime(2030, 3, 15, 9, tzinfo=UTC),
    datetime(2030, 3, 15, 9, 30, tzinfo=UTC),
)


def _candidate(
    window: Window | None, practitioner: uuid.UUID = DOCTOR, minutes: int = 30
) -> Candidate:
    return Candidate(uuid.uuid4(), uuid.uuid4(), practitioner, minutes, window)


def test_a_window_holding_the_slots_day_gets_the_offer() -> None:
    assert is_offered(_candidate(Window(date(2030, 3, 13), date(2030, 3, 21))), SLOT, PARIS, NOW)
    assert is_offered(_candidate(Window(None, None)), SLOT, PARIS, NOW)


def test_a_window_ending_the_day_before_does_not() -> None:
    assert not is_offered(_candidate(Window(date(2030, 3, 6), date(2030, 3, 14))), SLOT, PARIS, NOW)


def test_another_practitioner_a_longer_session_or_nothing_to_book_get_none() -> None:
    anyday = Window(None, None)
    assert not is_offered(_candidate(anyday, practitioner=uuid.uuid4()), SLOT, PARIS, NOW)
    assert not is_offered(_candidate(anyday, minutes=45), SLOT, PARIS, NOW)
    assert not is_offered(_candidate(None), SLOT, PARIS, NOW)


def test_a_slot_already_begun_is_offered_to_no_one() -> None:
    assert not is_offered(_candidate(Window(None, None)), SLOT, PARIS, SLOT.starts_at)


def test_an_offer_lasts_its_time_but_never_past_the_slots_start() -> None:
    assert expiry(NOW, timedelta(hours=2), SLOT) == NOW + timedelta(hours=2)
    assert expiry(NOW, timedelta(days=30), SLOT) == SLOT.starts_at


def _offer(status: OfferStatus = OfferStatus.OPEN) -> Offer:
    expires = NOW + timedelta(hours=2)
    return Offer(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), SLOT, status, NOW, expires)


def test_an_offer_is_open_then_taken_or_expired() -> None:
    offer = _offer()
    assert state(offer, taken=False, now=NOW) == "open"
    assert state(offer, taken=True, now=NOW) == "taken"
    assert state(offer, taken=False, now=offer.expires_at) == "expired"
    assert state(_offer(OfferStatus.ACCEPTED), taken=True, now=offer.expires_at) == "accepted"


def test_a_taken_or_expired_offer_or_a_course_no_longer_waiting_cannot_be_accepted() -> None:
    offer = _offer()
    check_takeable(offer, taken=False, waiting=True, now=NOW)
    with pytest.raises(OfferGone):
        check_takeable(offer, taken=True, waiting=True, now=NOW)
    with pytest.raises(OfferGone):
        check_takeable(offer, taken=False, waiting=False, now=NOW)
    with pytest.raises(LinkGone):
        check_takeable(offer, taken=False, waiting=True, now=offer.expires_at)
