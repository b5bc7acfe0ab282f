"""How notifications' copy of a session can differ from scheduling's facts: the kinds of drift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

DriftKind = Literal["missing", "moved", "cancelled_still_booked", "completed_still_booked",
                    "renumbered"]  # fmt: skip
ENDED = ("cancelled", "no_show")
UPCOMING = ("booked", "confirmed")


@dataclass(frozen=True)
class Projected:
    """A session as notifications holds it."""

    starts_at: datetime
    status: str
    sequence: int


def drift_of(
    projected: Projected | None,
    *,
    owner_status: str,
    owner_starts_at: datetime,
    owner_sequence: int,
    now: datetime,
) -> DriftKind | None:
    """The first way the copy differs from the owner's facts in what messages depend on, or None.

    Only a session still to come needs a copy here (its confirmation and reminders), or a move
    told; a booked copy of a session the owner ended would still remind the patient of it, and
    one the owner completed owes the patient its after-care.
    """
    to_come = owner_status in UPCOMING and owner_starts_at > now
    if projected is None:
        return "missing" if to_come else None
    if projected.status == "booked":
        if owner_status in ENDED and projected.starts_at > now:
            return "cancelled_still_booked"
        if owner_status == "completed":
            return "completed_still_booked"
        if to_come and projected.starts_at != owner_starts_at:
            return "moved"
    if owner_sequence > 0 and projected.sequence != owner_sequence:
        return "renumbered"
    return None
