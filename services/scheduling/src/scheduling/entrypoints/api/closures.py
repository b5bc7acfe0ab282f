"""Routes for the clinic's closures and the public holidays it keeps closed or opens on."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from clinic_shared.errors import Unprocessable
from clinic_shared.fields import Day, Instant
from scheduling.domain import rules
from scheduling.domain.model import Holiday
from scheduling.entrypoints.api.deps import Admin, FrontDesk, ScopeDep, Staff
from scheduling.entrypoints.api.schemas import UTCInstant
from scheduling.entrypoints.api.staff_schemas import FORCE
from scheduling.service_layer import agenda, closures

router = APIRouter(prefix="/v1", tags=["closures"])


class ClosureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    starts_at: Instant
    ends_at: Instant
    reason: str = Field(min_length=1, max_length=200, examples=["Summer week"])
    force: StrictBool = Field(False, description=FORCE)
    # Ends after it starts: checked with the horizon (`closures._check_span`), so a year-9999
    # start is named as such rather than as coming after the end.


class ClosurePublic(BaseModel):
    id: uuid.UUID
    starts_at: UTCInstant
    ends_at: UTCInstant
    reason: str
    created_by: str
    created_at: UTCInstant
    flagged_sessions: list[uuid.UUID] = Field(
        default_factory=list, description="Booked sessions inside it, flagged (force: true)."
    )


class ClosedPublic(BaseModel):
    kind: Literal["closure", "holiday"]
    id: uuid.UUID | None = Field(description="The closure's; a holiday has none.")
    starts_at: UTCInstant
    ends_at: UTCInstant
    reason: str


class HolidayPublic(BaseModel):
    day: date
    name: str
    open: bool = Field(description="The clinic chose to open that day.")
    opened_by: str | None = Field(description="Who chose to open it.")


class HolidayUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    open: StrictBool
    force: StrictBool = Field(False, description="Closing it again over booked sessions: " + FORCE)


def _holiday(holiday: Holiday) -> HolidayPublic:
    return HolidayPublic(
        day=holiday.day,
        name=holiday.name,
        open=holiday.opened_by is not None,
        opened_by=holiday.opened_by,
    )


@router.post("/closures", response_model=ClosurePublic, status_code=status.HTTP_201_CREATED)
async def create_closure(body: ClosureCreate, scope: ScopeDep, who: FrontDesk) -> ClosurePublic:
    """Close the clinic over a span (a summer week). Over booked sessions: 409 listing them,
    unless `force: true`, which flags them for staff."""
    closure, flagged = await closures.add_closure(
        scope,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        by=who.subject,
        force=body.force,
    )
    await scope.uow.commit()
    return ClosurePublic(**vars(closure), flagged_sessions=[s.id for s in flagged])


@router.get("/closures", response_model=list[ClosedPublic])
async def list_closures(
    scope: ScopeDep,
    _: Staff,
    from_: Annotated[Instant, Query(alias="from")],
    to: Instant,
) -> list[ClosedPublic]:
    """The clinic's closures and the public holidays it keeps closed overlapping [from, to), a
    range of at most 62 days."""
    agenda.check_span(scope, from_, to)
    return [
        ClosedPublic(
            kind=a.kind.value,
            id=a.id,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            reason=a.reason,
        )
        for a in await closures.closed(scope, from_, to)
    ]


@router.delete("/closures/{closure_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_closure(closure_id: uuid.UUID, scope: ScopeDep, _: FrontDesk) -> Response:
    await closures.delete_closure(scope, closure_id)
    await scope.uow.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/holidays", response_model=list[HolidayPublic])
async def list_holidays(
    scope: ScopeDep, _: Staff, year: Annotated[int, Query(ge=1970)]
) -> list[HolidayPublic]:
    """The public holidays of `CLINIC_COUNTRY` in a year, and whether the clinic opens on each."""
    clinic = scope.clinic
    last = rules.local_day(clinic.now + clinic.horizon, clinic.zone).year
    if year > last:
        raise Unprocessable(
            f"Holidays are listed up to {last}, the booking horizon's year.",
            errors=[{"field": "query.year", "reason": f"after {last}"}],
        )
    return [_holiday(h) for h in await closures.holidays(scope, year)]


@router.put("/holidays/{day}", response_model=HolidayPublic)
async def set_holiday(day: Day, body: HolidayUpdate, scope: ScopeDep, who: Admin) -> HolidayPublic:
    """Open the clinic on a public holiday (`open: true`, recorded with who chose it), or keep
    it closed again (`open: false`: over booked sessions, 409 listing them unless forced)."""
    holiday = await closures.set_holiday(
        scope, day, open=body.open, by=who.subject, force=body.force
    )
    await scope.uow.commit()
    return _holiday(holiday)
