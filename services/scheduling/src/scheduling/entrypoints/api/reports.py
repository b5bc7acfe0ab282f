"""Reports for the front desk and the clinic's admin, over clinic-local days `from` to `to`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from clinic_shared.fields import Day
from scheduling.entrypoints.api.deps import FrontDesk, ScopeDep
from scheduling.service_layer import reports

router = APIRouter(prefix="/v1/reports", tags=["reports"])
From = Annotated[Day, Query(alias="from", description="The first clinic-local day.")]
To = Annotated[Day, Query(description="The last clinic-local day (included).")]


class UtilisedPublic(BaseModel):
    id: uuid.UUID
    name: str
    available_minutes: int = Field(description="Working hours (rooms: opening hours).")
    booked_minutes: int = Field(description="Sessions that held their slot (not cancelled).")
    utilisation: float | None = Field(description="Booked over available; none without hours.")


class UtilisationPublic(BaseModel):
    practitioners: list[UtilisedPublic]
    rooms: list[UtilisedPublic]


class AttendancePublic(BaseModel):
    id: uuid.UUID
    name: str
    sessions: int
    completed: int
    no_shows: int
    cancelled: int
    no_show_rate: float | None
    cancellation_rate: float | None


class AdherencePublic(BaseModel):
    id: uuid.UUID
    name: str
    intervals: int = Field(description="Intervals between a course's sessions ending in the span.")
    within: int = Field(description="Of them, those within the course's interval bounds.")
    within_rate: float | None
    completed: int = Field(description="Courses completed whose last session is in the span.")
    abandoned: int = Field(description="Courses abandoned whose last session is in the span.")


@router.get("/utilisation", response_model=UtilisationPublic)
async def utilisation(
    scope: ScopeDep, _: FrontDesk, from_: From, to: To, practitioner_id: uuid.UUID | None = None
) -> UtilisationPublic:
    """Booked session time over working hours, per practitioner and per room."""
    span = reports.span_of(scope, from_, to)
    return UtilisationPublic.model_validate(await reports.utilisation(scope, span, practitioner_id))


@router.get("/attendance", response_model=list[AttendancePublic])
async def attendance(
    scope: ScopeDep, _: FrontDesk, from_: From, to: To, practitioner_id: uuid.UUID | None = None
) -> list[AttendancePublic]:
    """Per practitioner, the sessions starting in the span, and their no-show and cancellation
    rates (shares of all those sessions)."""
    span = reports.span_of(scope, from_, to)
    rows = await reports.attendance(scope, span, practitioner_id)
    return [AttendancePublic.model_validate(r) for r in rows]


@router.get("/adherence", response_model=list[AdherencePublic])
async def adherence(
    scope: ScopeDep, _: FrontDesk, from_: From, to: To, practitioner_id: uuid.UUID | None = None
) -> list[AdherencePublic]:
    """Per practitioner, the share of course intervals within bounds, and the courses that
    ended in the span, completed against abandoned."""
    span = reports.span_of(scope, from_, to)
    rows = await reports.adherence(scope, span, practitioner_id)
    return [AdherencePublic.model_validate(r) for r in rows]
