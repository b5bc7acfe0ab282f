"""Use cases on the catalogue and staff: treatments, practitioners, hours, rooms (absences
are in `closures`)."""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy.exc import IntegrityError

from clinic_shared.errors import Conflict, NotFound, Unprocessable
from scheduling.domain.model import Practitioner, Room, Treatment, WorkingHours
from scheduling.service_layer.scope import Scope


async def treatments(scope: Scope) -> list[Treatment]:
    return await scope.staff.treatments()


async def treatment(scope: Scope, code: str) -> Treatment:
    return await scope.treatment(code)


async def add_treatment(scope: Scope, treatment: Treatment) -> Treatment:
    if await scope.staff.treatment(treatment.code) is not None:
        raise Conflict(f"Treatment {treatment.code!r} exists already.")
    await scope.staff.add_treatment(treatment)
    return treatment


async def add_practitioner(scope: Scope, name: str, email: str | None) -> Practitioner:
    practitioner = Practitioner(id=uuid.uuid4(), name=name, email=email)
    await scope.staff.add_practitioner(practitioner.id, name, email, scope.clinic.now)
    return practitioner


async def practitioner(scope: Scope, practitioner_id: uuid.UUID) -> Practitioner:
    found = await scope.staff.practitioner(practitioner_id)
    if found is None:
        raise NotFound(f"No practitioner {practitioner_id}.")
    return found


async def practitioners(scope: Scope) -> list[Practitioner]:
    return await scope.staff.practitioners()


async def hours(scope: Scope, practitioner_id: uuid.UUID) -> list[WorkingHours]:
    """The practitioner's weekly hours, by weekday and start."""
    await practitioner(scope, practitioner_id)
    return await scope.staff.hours(practitioner_id)


async def set_hours(
    scope: Scope, practitioner_id: uuid.UUID, hours: list[WorkingHours]
) -> list[WorkingHours]:
    """Replace the practitioner's weekly hours; ranges of one day must not overlap."""
    await practitioner(scope, practitioner_id)
    by_day = sorted(hours, key=lambda h: (h.weekday, h.start))
    for index, (a, b) in enumerate(itertools.pairwise(by_day), start=1):
        if a.weekday == b.weekday and b.start < a.end:
            raise Unprocessable(
                "Working hours of one day overlap.",
                errors=[{"field": f"body[{index}]", "reason": "overlaps the range before it"}],
            )
    await scope.staff.replace_hours(practitioner_id, by_day)
    return by_day


async def add_room(scope: Scope, name: str) -> Room:
    if await scope.staff.room_named(name) is not None:
        raise Conflict(f"A room named {name!r} exists already.")
    room = Room(id=uuid.uuid4(), name=name)
    try:
        await scope.staff.add_room(room.id, name, scope.clinic.now)
    except IntegrityError as exc:  # a concurrent request took the name
        raise Conflict(f"A room named {name!r} exists already.") from exc
    return room


async def rooms(scope: Scope) -> list[Room]:
    return await scope.staff.rooms()
