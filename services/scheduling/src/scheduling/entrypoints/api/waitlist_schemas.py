"""Bodies of the waitlist routes: the staff's view, and an offer as its patient's page shows it."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from scheduling.domain.waitlist import OfferState
from scheduling.entrypoints.api.schemas import Strict, UTCInstant


class WaitlistJoin(Strict):
    course_id: uuid.UUID


class WaitlistEntryPublic(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    status: Literal["waiting", "served"]
    joined_at: UTCInstant


class OfferPublic(BaseModel):
    id: uuid.UUID
    practitioner_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: UTCInstant
    ends_at: UTCInstant
    offered_at: UTCInstant
    expires_at: UTCInstant
    state: OfferState = Field(
        description="open; accepted (this patient booked it); taken (another patient was "
        "first); expired."
    )
    session_id: uuid.UUID | None = None


class WaitingCoursePublic(WaitlistEntryPublic):
    patient_id: uuid.UUID
    treatment_code: str
    offers: list[OfferPublic]


class LinkedOfferPublic(BaseModel):
    """What an offer's page shows: the first name, the treatment, the slot and until when."""

    first_name: str
    treatment: str
    starts_at: UTCInstant
    ends_at: UTCInstant
    expires_at: UTCInstant
    state: OfferState
    session_id: uuid.UUID | None = None


class WaitlistJoinedPublic(BaseModel):
    """A self-service join: whether the course is waiting (it keeps its place if it was)."""

    waiting: bool
    joined_at: UTCInstant
