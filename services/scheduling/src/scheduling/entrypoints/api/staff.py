"""Routes for treatments, practitioners (hours, time off) and rooms."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from fastapi import APIRouter, status

from scheduling.domain.model import TimeOff, Treatment, WorkingHours
from scheduling.entrypoints.api.deps import Admin, FrontDesk, ScopeDep, Staff
from scheduling.entrypoints.api.staff_schemas import (
    HoursBody,
    PractitionerCreate,
    PractitionerPublic,
    RoomCreate,
    RoomPublic,
    TimeOffCreate,
    TimeOffPublic,
    TreatmentBody,
)
from scheduling.service_layer import closures, staff

router = APIRouter(prefix="/v1", tags=["catalogue and staff"])


@router.get("/treatments", response_model=list[TreatmentBody])
async def list_treatments(scope: ScopeDep, _: Staff) -> list[TreatmentBody]:
    return [TreatmentBody(**asdict(t)) for t in await staff.treatments(scope)]


@router.get("/treatments/{code}", response_model=TreatmentBody)
async def read_treatment(code: str, scope: ScopeDep, _: Staff) -> TreatmentBody:
    return TreatmentBody(**asdict(await staff.treatment(scope, code)))


@router.post("/treatments", response_model=TreatmentBody, status_code=status.HTTP_201_CREATED)
async def create_treatment(body: TreatmentBody, scope: ScopeDep, _: Admin) -> TreatmentBody:
    await staff.add_treatment(scope, Treatment(**body.model_dump()))
    await scope.uow.commit()
    return body


@router.post(
    "/practitioners", response_model=PractitionerPublic, status_code=status.HTTP_201_CREATED
)
async def create_practitioner(
    body: PractitionerCreate, scope: ScopeDep, _: Admin
) -> PractitionerPublic:
    practitioner = await staff.add_practitioner(scope, body.name, body.email)
    await scope.uow.commit()
    return PractitionerPublic(**asdict(practitioner))


@router.get("/practitioners", response_model=list[PractitionerPublic])
async def list_practitioners(scope: ScopeDep, _: Staff) -> list[PractitionerPublic]:
    return [PractitionerPublic(**asdict(p)) for p in await staff.practitioners(scope)]


@router.get("/practitioners/{practitioner_id}", response_model=PractitionerPublic)
async def read_practitioner(
    practitioner_id: uuid.UUID, scope: ScopeDep, _: Staff
) -> PractitionerPublic:
    return PractitionerPublic(**asdict(await staff.practitioner(scope, practitioner_id)))


@router.get("/practitioners/{practitioner_id}/hours", response_model=list[HoursBody])
async def read_hours(practitioner_id: uuid.UUID, scope: ScopeDep, _: Staff) -> list[HoursBody]:
    return [HoursBody(**asdict(h)) for h in await staff.hours(scope, practitioner_id)]


@router.put("/practitioners/{practitioner_id}/hours", response_model=list[HoursBody])
async def replace_hours(
    practitioner_id: uuid.UUID, body: list[HoursBody], scope: ScopeDep, _: Admin
) -> list[HoursBody]:
    hours = await staff.set_hours(
        scope, practitioner_id, [WorkingHours(**h.model_dump()) for h in body]
    )
    await scope.uow.commit()
    return [HoursBody(**asdict(h)) for h in hours]


@router.post(
    "/practitioners/{practitioner_id}/time-off",
    response_model=TimeOffPublic,
    status_code=status.HTTP_201_CREATED,
)
async def create_time_off(
    practitioner_id: uuid.UUID, body: TimeOffCreate, scope: ScopeDep, _: FrontDesk
) -> TimeOffPublic:
    """Record the practitioner away. Over booked sessions of theirs: 409 listing them, unless
    `force: true`, which flags them for staff."""
    away = TimeOff(body.starts_at, body.ends_at, body.reason)
    time_off_id, flagged = await closures.add_time_off(
        scope, practitioner_id, away, force=body.force
    )
    await scope.uow.commit()
    return TimeOffPublic(
        id=time_off_id,
        practitioner_id=practitioner_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        flagged_sessions=[s.id for s in flagged],
    )


@router.post("/rooms", response_model=RoomPublic, status_code=status.HTTP_201_CREATED)
async def create_room(body: RoomCreate, scope: ScopeDep, _: Admin) -> RoomPublic:
    room = await staff.add_room(scope, body.name)
    await scope.uow.commit()
    return RoomPublic(**asdict(room))


@router.get("/rooms", response_model=list[RoomPublic])
async def list_rooms(scope: ScopeDep, _: Staff) -> list[RoomPublic]:
    return [RoomPublic(**asdict(r)) for r in await staff.rooms(scope)]
