"""Bodies of the course and session routes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt

from clinic_shared.contracts.events import ProductUsed
from clinic_shared.fields import Day, Instant
from scheduling.entrypoints.api.prescription_schemas import (
    OverridePublic,
    PrescriptionFields,
    PrescriptionPublic,
)
from scheduling.entrypoints.api.schemas import Strict, UTCInstant
from scheduling.entrypoints.api.staff_schemas import WallClock

SessionStatusName = Literal["booked", "confirmed", "completed", "cancelled", "no_show"]


class PlannedStartBody(Strict):
    starts_at: Instant
    room_id: uuid.UUID


class CourseOpening(PrescriptionFields):
    """Who, what, by whom and how: a course's fields as it opens."""

    patient_id: uuid.UUID
    treatment_code: str = Field(min_length=1, max_length=50)
    practitioner_id: uuid.UUID
    sessions_planned: StrictInt | None = Field(None, ge=1, le=20)


class CourseCreate(CourseOpening):
    sessions: list[PlannedStartBody] | None = Field(
        None,
        min_length=1,
        max_length=20,
        description="Starts to book as the course opens, all or none: when one is refused, "
        "the course is not opened either (`POST /v1/course-plans` proposes them).",
    )


class SessionPublic(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    sequence: int | None = Field(
        description="Its rank among the course's booked, confirmed and completed sessions by "
        "start; none for a cancelled or missed session."
    )
    was_sequence: int | None = Field(
        None, description="A cancelled or missed session's number when it was dropped."
    )
    practitioner_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: UTCInstant
    ends_at: UTCInstant
    status: SessionStatusName
    stock_at_risk: bool
    closure_conflict: str | None = Field(
        None,
        description=(
            "Set when time off, a closure or a closed public holiday was recorded over this "
            "booked session (force: true): staff should move or cancel it."
        ),
    )


class RescheduledPublic(SessionPublic):
    shifted: list[SessionPublic] = Field(
        default_factory=list, description="Later sessions moved with it (shift_following)."
    )


class WindowPublic(BaseModel):
    earliest: date | None
    latest: date | None


class ClosedDayPublic(BaseModel):
    day: date
    kind: Literal["time_off", "closure", "holiday"] = Field(
        description="The practitioner's time off, a closure of the clinic, or a public holiday."
    )
    reason: str


class MoveWindowsPublic(BaseModel):
    alone: WindowPublic = Field(description="Days the session may move to on its own.")
    shift_following: WindowPublic = Field(
        description="Days it may move to when the later sessions shift by as many days."
    )
    closed: list[ClosedDayPublic] = Field(
        description="The days of either window, from today to the horizon, on which the "
        "session, at its time of day, would fall inside the practitioner's time off, a "
        "closure or a public holiday the clinic keeps closed: it may not move there."
    )


class GapPublic(BaseModel):
    previous_session_id: uuid.UUID
    next_session_id: uuid.UUID
    days: int = Field(description="Clinic calendar days between the two sessions.")
    accepted_by: str | None = Field(None, description="Who accepted it (their token's subject).")
    accepted_at: UTCInstant | None = None


class CoursePublic(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    treatment_code: str
    practitioner_id: uuid.UUID
    sessions_planned: int
    status: Literal["active", "completed", "abandoned"]
    created_at: UTCInstant
    sessions: list[SessionPublic] = Field(default_factory=list)
    sessions_active: int = Field(
        0, description="Booked, confirmed and completed sessions: the N of 'N of M'."
    )
    next_window: WindowPublic | None = None
    interval_broken: bool = Field(
        False,
        description="Two active sessions are further apart than the interval allows, and "
        "staff have not accepted it: the next window and the plan fill the gap first.",
    )
    gaps: list[GapPublic] = Field(default_factory=list)
    prescription: PrescriptionPublic
    overrides: list[OverridePublic] = Field(
        default_factory=list, description="Rules a practitioner set aside for this course."
    )


class PlanBody(Strict):
    first_date: Day | None = Field(None, description="Plan from this clinic-local day on.")
    weekdays: list[Annotated[StrictInt, Field(ge=0, le=6)]] = Field(
        default_factory=list, description="Preferred weekdays, 0 = Monday.", max_length=7
    )
    time_of_day: WallClock | None = Field(
        None, description="Preferred local start time, e.g. 10:00."
    )
    room_id: uuid.UUID | None = None

    def weekday_set(self) -> frozenset[int]:
        return frozenset(self.weekdays)


class NewCoursePlanBody(CourseOpening, PlanBody):
    """A course not yet opened and how to plan it: nothing is opened or booked."""


class ProposedPublic(BaseModel):
    sequence: int
    starts_at: UTCInstant
    ends_at: UTCInstant
    room_id: uuid.UUID


class BookPlanBody(Strict):
    sessions: list[PlannedStartBody] = Field(min_length=1, max_length=20)


class SessionCreate(Strict):
    course_id: uuid.UUID
    starts_at: Instant
    room_id: uuid.UUID
    practitioner_id: uuid.UUID | None = None


class RescheduleBody(Strict):
    starts_at: Instant
    shift_following: StrictBool = False


class CancelBody(Strict):
    reason: str | None = Field(None, max_length=500)


class ProductUsedBody(Strict):
    product_code: str = Field(min_length=1, max_length=50)
    lot_number: str = Field(min_length=1, max_length=50)
    quantity: StrictInt = Field(ge=1, le=100)


class CompleteBody(Strict):
    products_used: list[ProductUsedBody] = Field(default_factory=list, max_length=20)

    def products(self) -> list[ProductUsed]:
        return [ProductUsed(**p.model_dump()) for p in self.products_used]
