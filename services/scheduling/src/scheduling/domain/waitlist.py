"""The waitlist's rules: which waiting courses a freed slot is offered to, and whether an offer
may still be taken. Pure: now is passed in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from scheduling.domain.errors import LinkGone, OfferGone
from scheduling.domain.model import Window
from scheduling.domain.rules import local_day


class EntryStatus(StrEnum):
    WAITING = "waiting"
    SERVED = "served"  # an offer of theirs was accepted: the session is booked


OfferState = Literal["open", "accepted", "taken", "expired"]


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class Slot:
    """A practitioner's time in a room that a cancel, a move or a no-show left free."""

    practitioner_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 60


@dataclass(frozen=True)
class Candidate:
    """A waiting course as the offer rule reads it."""

    course_id: uuid.UUID
    patient_id: uuid.UUID
    practitioner_id: uuid.UUID
    session_minutes: int
    window: Window | None  # the days its next session may fall on; None: nothing to book


def is_offered(candidate: Candidate, slot: Slot, zone: ZoneInfo, now: datetime) -> bool:
    """Whether the slot goes to the candidate: it is still ahead, it is with the course's own
    practitioner, the course's session fits in it, and its day lies in the course's window."""
    return (
        slot.starts_at > now
        and candidate.window is not None
        and not candidate.window.empty
        and candidate.practitioner_id == slot.practitioner_id
        and candidate.session_minutes <= slot.minutes
        and candidate.window.contains(local_day(slot.starts_at, zone))
    )


@dataclass(frozen=True)
class Offer:
    id: uuid.UUID
    entry_id: uuid.UUID
    course_id: uuid.UUID
    slot_id: uuid.UUID
    slot: Slot
    status: OfferStatus
    offered_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    session_id: uuid.UUID | None = None


def expiry(offered_at: datetime, lasts: timedelta, slot: Slot) -> datetime:
    """An offer lasts `lasts`, and never past its slot's start."""
    return min(offered_at + lasts, slot.starts_at)


def state(offer: Offer, *, taken: bool, now: datetime) -> OfferState:
    """How an offer stands: accepted (by this patient), taken (by another), expired, or open."""
    if offer.status is OfferStatus.ACCEPTED:
        return "accepted"
    if taken:
        return "taken"
    return "expired" if now >= offer.expires_at else "open"


def check_takeable(offer: Offer, *, taken: bool, waiting: bool, now: datetime) -> None:
    """Refuse an offer that can no longer be accepted: expired (its link with it), or its slot
    taken by another patient, or its course no longer waiting."""
    current = state(offer, taken=taken, now=now)
    if current == "expired":
        raise LinkGone("expired", "This offer has expired; you keep your place on the waitlist.")
    if current == "taken" or not waiting:
        raise OfferGone()
