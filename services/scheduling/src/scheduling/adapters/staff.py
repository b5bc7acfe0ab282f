"""SQL for the clinic's catalogue and staff: treatments, practitioners, hours, time off, rooms."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.outbox import Repository
from scheduling.adapters.orm import (
    closures,
    holiday_openings,
    practitioners,
    rooms,
    time_off,
    treatments,
    working_hours,
)
from scheduling.domain.model import (
    AbsenceKind,
    Closure,
    Practitioner,
    Room,
    TimeOff,
    Treatment,
    WorkingHours,
)

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
_TIME_OFF = sa.select(
    time_off.c.starts_at, time_off.c.ends_at, time_off.c.reason, time_off.c.id
).where(
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
            sa.insert(time_off).values(
                id=id,
                practitioner_id=practitioner_id,
                starts_at=away.starts_at,
                ends_at=away.ends_at,
                reason=away.reason,
            )
        )

    async def time_off(
        self, practitioner_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[TimeOff]:
        rows = await self._session.execute(
            _TIME_OFF, {"practitioner_id": practitioner_id, "start": start, "end": end}
        )
        return [TimeOff(**r._mapping) for r in rows]

    async def time_off_by_id(self, id: uuid.UUID) -> tuple[uuid.UUID, TimeOff] | None:
        """A time off and whose it is (its practitioner's id), or None."""
        row = (
            await self._session.execute(sa.select(time_off).where(time_off.c.id == id))
        ).one_or_none()
        if row is None:
            return None
        return row.practitioner_id, TimeOff(row.starts_at, row.ends_at, row.reason, id=row.id)

    async def delete_time_off(self, id: uuid.UUID) -> None:
        await self._session.execute(sa.delete(time_off).where(time_off.c.id == id))

    async def add_closure(self, closure: Closure) -> None:
        await self._session.execute(sa.insert(closures).values(**asdict(closure)))

    async def closure(self, id: uuid.UUID) -> Closure | None:
        row = (
            await self._session.execute(sa.select(closures).where(closures.c.id == id))
        ).one_or_none()
        return Closure(**row._mapping) if row else None

    async def closures(self, start: datetime, end: datetime) -> list[Closure]:
        """The closures overlapping [start, end), by start."""
        rows = await self._session.execute(
            sa.select(closures)
            .where(closures.c.starts_at < end, closures.c.ends_at > start)
            .order_by(closures.c.starts_at, closures.c.id)
        )
        return [Closure(**r._mapping) for r in rows]

    async def closures_as_absences(self, start: datetime, end: datetime) -> list[TimeOff]:
        return [
            TimeOff(c.starts_at, c.ends_at, c.reason, AbsenceKind.CLOSURE, c.id)
            for c in await self.closures(start, end)
        ]

    async def delete_closure(self, id: uuid.UUID) -> None:
        await self._session.execute(sa.delete(closures).where(closures.c.id == id))

    async def openings(self, first: date, last: date) -> dict[date, str]:
        """The holidays from `first` to `last` the clinic chose to open on, and who chose."""
        rows = await self._session.execute(
            sa.select(holiday_openings.c.day, holiday_openings.c.opened_by).where(
                holiday_openings.c.day.between(first, last)
            )
        )
        return {r.day: r.opened_by for r in rows}

    async def open_on(self, day: date, by: str, now: datetime) -> None:
        """Record the clinic open on a holiday (once: opening it again changes nothing)."""
        await self._session.execute(
            pg_insert(holiday_openings)
            .values(day=day, opened_by=by, opened_at=now)
            .on_conflict_do_nothing(index_elements=["day"])
        )

    async def close_on(self, day: date) -> None:
        await self._session.execute(
            sa.delete(holiday_openings).where(holiday_openings.c.day == day)
        )

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
