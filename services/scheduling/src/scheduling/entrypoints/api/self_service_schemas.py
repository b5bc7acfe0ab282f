"""Bodies of the self-service routes: what a patient's page may show, nothing more."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from clinic_shared.fields import Instant
from scheduling.entrypoints.api.course_schemas import SessionStatusName
from scheduling.entrypoints.api.schemas import Strict, UTCInstant


class LinkedSessionPublic(BaseModel):
    id: uuid.UUID
    sequence: int | None
    starts_at: UTCInstant
    ends_at: UTCInstant
    status: SessionStatusName
    may_change: bool = Field(
        description="Whether the patient may still cancel or move it (else: call the clinic)."
    )


class LinkedCoursePublic(BaseModel):
    """The patient's first name, the treatment and the times of the course's upcoming sessions."""

    first_name: str
    treatment: str
    sessions_planned: int
    change_notice_hours: float
    sessions: list[LinkedSessionPublic]
    on_waitlist: bool = Field(description="The course waits for a freed time in its window.")
    may_join_waitlist: bool = Field(
        description="The course has a session to book and is not on the waitlist."
    )


class SlotsPublic(BaseModel):
    starts: list[UTCInstant]


class MoveBody(Strict):
    starts_at: Instant
