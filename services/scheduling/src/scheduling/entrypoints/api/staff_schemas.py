"""Bodies of the catalogue and staff routes."""

from __future__ import annotations

import re
import uuid
from datetime import time
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    model_validator,
)

from clinic_shared.fields import Instant
from scheduling.entrypoints.api.schemas import Strict, UTCInstant

_WALL_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _wall_clock(value: object) -> object:
    if isinstance(value, time) or (isinstance(value, str) and re.fullmatch(_WALL_CLOCK, value)):
        return value
    raise ValueError("must be a time of day HH:MM in the clinic's zone, with no UTC offset")


WallClock = Annotated[
    time,
    BeforeValidator(_wall_clock),
    WithJsonSchema({"type": "string", "pattern": _WALL_CLOCK, "examples": ["09:00"]}),
]
"""A time on the clinic's wall clock: `09:00`; an offset (`09:00Z`) or a number is refused."""


class TreatmentBody(Strict):
    code: str = Field(min_length=2, max_length=50, pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=100)
    area: str = Field(min_length=1, max_length=30)
    session_minutes: StrictInt = Field(ge=5, le=240)
    default_sessions: StrictInt = Field(ge=1, le=20)
    min_interval_days: StrictInt = Field(7, ge=1, le=90)
    max_interval_days: StrictInt = Field(15, ge=1, le=180)
    maintenance_interval_days: StrictInt | None = Field(
        None, ge=1, le=365, description="Days after a finished course before the next one starts."
    )
    contains: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list,
        max_length=30,
        description="Substances its standard kit holds, by product code (lidocaine, ...).",
    )
    contraindications: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list,
        max_length=30,
        description="Patients' conditions that rule it out (pregnancy, ...).",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_interval_days < self.min_interval_days:
            raise ValueError("max_interval_days must not be below min_interval_days")
        return self


class PractitionerCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr | None = None


class PractitionerPublic(BaseModel):
    id: uuid.UUID
    name: str
    email: str | None


class HoursBody(Strict):
    weekday: StrictInt = Field(ge=0, le=6, description="0 = Monday")
    start: WallClock
    end: WallClock = Field(examples=["17:00"])

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


FORCE = (
    "Record it even over booked sessions, which are then flagged for staff "
    "(`closure_conflict`); without it, booked sessions inside make a 409 listing them."
)


class TimeOffCreate(Strict):
    starts_at: Instant
    ends_at: Instant
    reason: str = Field("", max_length=200)  # ends after it starts: checked with the horizon
    force: StrictBool = Field(False, description=FORCE)


class TimeOffPublic(BaseModel):
    id: uuid.UUID
    practitioner_id: uuid.UUID
    starts_at: UTCInstant
    ends_at: UTCInstant
    reason: str
    flagged_sessions: list[uuid.UUID] = Field(
        default_factory=list, description="Booked sessions inside it, flagged (force: true)."
    )


class RoomCreate(Strict):
    name: str = Field(min_length=1, max_length=100)


class RoomPublic(BaseModel):
    id: uuid.UUID
    name: str
