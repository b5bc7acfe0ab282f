"""SQL for the clinic's catalogue and staff: treatments, practitioners, hours, time off, rooms."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from scheduling.adapters.orm import practitioners, rooms, time_off, treatments, working_hours
from scheduling.domain.model import Practitioner, Room, TimeOff, Treatment, WorkingHours

_PRACTITIONER = sa.select(practitioners.c.id, practitioners.c.name, practitioners.c.email)
# Statements of the booking path, built once (building costs more CPU than running them).
_PRACTITIONER_BY_ID = _PRACTITIONER.where(practitioners.c.id == sa.bindparam("id"))
_TREATMENT = sa.select(treatments).where(treatments.c.code == sa.bindparam("code"))
_ROOM = sa.select(rooms.c.id).where(rooms.c.id == sa.bindparam("id"))
_HOURS = (
    sa.select(working_hours.c.weekday, working_hours.c.start, working_hours.c.end)
    .where(working_hours.c.practitioner_id == sa.bindparam("practitioner_id"))
    .order_by(working_hours.c.weekday, working_hours.c.start)
)
_TIME_OFF = sa.select(time_off.c.starts_at, time_off.c.ends_at, time_off.c.reason).where(
    time_off.c.practitioner_id == sa.bindparam("practitioner_id"),
    time_off.c.starts_at < sa.bindparam("end"),
    time_off.c.ends_at > sa.bindparam("start"),
)


class StaffRepository(Repository):
    async def treatment(self, code: str) -> Treatment | None:
        row = (await self._session.execute(_TREATMENT, {"code": code})).one_or_none()
        return Treatment(**row._mapping) if row else None

    async def treatments(self) -> list[Treatment]:
        rows = await self._session.execute(sa.select(treatments).order_by(treatments.c.code))
        return [Treatment(**r._mapping) for r in rows]

    async def add_treatment(self, treatment: Treatment) -> None:
        await self._session.execute(sa.insert(treatments).values(**asdict(treatment)))

    async def add_practitioner(
        self, id: uuid.UUID, name: str, email: str | None, now: datetime
    ) -> None:
        await self._session.execute(
            sa.insert(practitioners).values(id=id, name=name, email=email, created_at=now)
        )

    async def practitioner(self, id: uuid.UUID) -> Practitioner | None:
        row = (await self._session.execute(_PRACTITIONER_BY_ID, {"id": id})).one_or_none()
        return Practitioner(**row._mapping) if row else None

    async def practitioners(self) -> list[Practitioner]:
        rows = await self._session.execute(_PRACTITIONER.order_by(practitioners.c.name))
        return [Practitioner(**r._mapping) for r in rows]

    async def lock_practitioner(self, id: uuid.UUID) -> bool:
        """Serialise bookings for one practitioner (a row lock on PostgreSQL)."""
        found = await self._session.scalar(
            sa.select(practitioners.c.id).where(practitioners.c.id == id).with_for_update()
        )
        return found is not None

    async def hours(self, practitioner_id: uuid.UUID) -> list[WorkingHours]:
        rows = await self._session.execute(_HOURS, {"practitioner_id": practitioner_id})
        return [WorkingHours(**r._mapping) for r in rows]

    async def replace_hours(self, practitioner_id: uuid.UUID, hours: list[WorkingHours]) -> None:
        await self._session.execute(
            sa.delete(working_hours).where(working_hours.c.practitioner_id == practitioner_id)
        )
        if hours:
            await self._session.execute(
                sa.insert(working_hours),
                [asdict(h) | {"practitioner_id": practitioner_id} for h in hours],
            )

    async def add_time_off(self, id: uuid.UUID, practitioner_id: uuid.UUID, away: TimeOff) -> None:
        await self._session.execute(
            sa.insert(time_off).values(id=id, practitioner_id=practitioner_id, **asdict(away))
        )

    async def time_off(
        self, practitioner_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[TimeOff]:
        rows = await self._session.execute(
            _TIME_OFF, {"practitioner_id": practitioner_id, "start": start, "end": end}
        )
        return [TimeOff(**r._mapping) for r in rows]

    async def add_room(self, id: uuid.UUID, name: str, now: datetime) -> None:
        await self._session.execute(sa.insert(rooms).values(id=id, name=name, created_at=now))

    async def room_exists(self, id: uuid.UUID) -> bool:
        return await self._session.scalar(_ROOM, {"id": id}) is not None

    async def room_named(self, name: str) -> uuid.UUID | None:
        return await self._session.scalar(sa.select(rooms.c.id).where(rooms.c.name == name))

    async def rooms(self) -> list[Room]:
        rows = await self._session.execute(
            sa.select(rooms.c.id, rooms.c.name).order_by(rooms.c.name)
        )
        return [Room(**r._mapping) for r in rows]
