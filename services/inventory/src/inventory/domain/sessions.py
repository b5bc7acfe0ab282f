"""Booked sessions as inventory sees them: when, for whom, and whether they still need stock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

SessionStatus = Literal["booked", "cancelled", "no_show", "completed"]


@dataclass(frozen=True)
class BookedSession:
    session_id: uuid.UUID
    course_id: uuid.UUID
    patient_id: uuid.UUID
    treatment_code: str
    sequence: int
    sessions_planned: int
    starts_at: datetime
    session_on: date
    status: SessionStatus
    as_of: datetime

    @property
    def holds_stock(self) -> bool:
        return self.status == "booked"


@dataclass(frozen=True)
class Reservation:
    id: uuid.UUID
    session_id: uuid.UUID
    product_code: str
    lot_id: uuid.UUID
    quantity: int


def session_day(starts_at: datetime, zone: ZoneInfo) -> date:
    """The clinic-local calendar day of a session: a lot must still be valid after it.

    An instant whose local day lies past the calendar's last (or before its first) day is
    clamped to it: such a session is as far away as a date can say, and no lot serves it.
    """
    try:
        return starts_at.astimezone(zone).date()
    except OverflowError:
        return date.max if starts_at.year == date.max.year else date.min


def still_needed(kit_quantity: int, reserved: int) -> int:
    return max(0, kit_quantity - reserved)
