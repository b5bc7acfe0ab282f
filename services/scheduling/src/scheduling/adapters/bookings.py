"""The booking path's reads, each one statement: a booking is CPU-bound on the round trips it
makes (every statement costs a few hundred microseconds of Python), not on what PostgreSQL does.

Statements are built once: building one costs more CPU than running it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.adapters.calendar import CLASH, clash_params
from scheduling.adapters.orm import (
    courses,
    practitioners,
    rooms,
    time_off,
    treatments,
    working_hours,
)
from scheduling.domain.model import Course, CourseStatus, TimeOff, Treatment, WorkingHours


@dataclass(frozen=True)
class BookingFacts:
    """What a booking checks before it looks at the calendar, read with the course locked."""

    course: Course
    practitioner_id: uuid.UUID  # the one asked for, else the course's
    practitioner_found: bool
    room_found: bool
    treatment: Treatment | None
    hours: list[WorkingHours]


_PRACTITIONER = sa.func.coalesce(
    sa.bindparam("practitioner_id", type_=sa.Uuid), courses.c.practitioner_id
)
_TREATMENT_COLUMNS = [c.label(f"t_{c.name}") for c in treatments.c]
# The course (locked) with its treatment, whether the practitioner and the room exist, and one
# row per working-hours span of the practitioner (a LEFT JOIN: one row with none).
_FACTS = (
    sa.select(
        *courses.c,
        *_TREATMENT_COLUMNS,
        _PRACTITIONER.label("booked_practitioner_id"),
        sa.exists().where(practitioners.c.id == _PRACTITIONER).label("practitioner_found"),
        sa.exists().where(rooms.c.id == sa.bindparam("room_id")).label("room_found"),
        working_hours.c.weekday,
        working_hours.c.start,
        working_hours.c.end,
    )
    .select_from(
        courses.outerjoin(treatments, treatments.c.code == courses.c.treatment_code).outerjoin(
            working_hours, working_hours.c.practitioner_id == _PRACTITIONER
        )
    )
    .where(courses.c.id == sa.bindparam("course_id"))
    .with_for_update(of=courses)
)

_CLASH = CLASH.subquery("clash")
_ONE = sa.select(sa.literal(1).label("one")).subquery("one")
# The first session holding the practitioner or the room (or none), beside every time off of the
# practitioner overlapping the slot (or none): one row at least.
_OBSTACLES = sa.select(
    _CLASH.c.id.label("clash_id"),
    _CLASH.c.by_practitioner,
    time_off.c.starts_at,
    time_off.c.ends_at,
    time_off.c.reason,
).select_from(
    _ONE.outerjoin(_CLASH, sa.true()).outerjoin(
        time_off,
        sa.and_(
            time_off.c.practitioner_id == sa.bindparam("practitioner_id"),
            time_off.c.starts_at < sa.bindparam("end"),
            time_off.c.ends_at > sa.bindparam("start"),
        ),
    )
)


class BookingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def facts(
        self, course_id: uuid.UUID, practitioner_id: uuid.UUID | None, room_id: uuid.UUID
    ) -> BookingFacts | None:
        """Lock the course and read what a booking on it needs; None without the course."""
        rows = (
            await self._session.execute(
                _FACTS,
                {"course_id": course_id, "practitioner_id": practitioner_id, "room_id": room_id},
            )
        ).all()
        if not rows:
            return None
        first = rows[0]._mapping
        return BookingFacts(
            course=_course(first),
            practitioner_id=first["booked_practitioner_id"],
            practitioner_found=bool(first["practitioner_found"]),
            room_found=bool(first["room_found"]),
            treatment=_treatment(first),
            hours=[
                WorkingHours(weekday=r.weekday, start=r.start, end=r.end)
                for r in rows
                if r.weekday is not None
            ],
        )

    async def obstacles(
        self,
        practitioner_id: uuid.UUID,
        room_id: uuid.UUID,
        start: datetime,
        end: datetime,
        *,
        excluding: Collection[uuid.UUID] = (),
    ) -> tuple[list[TimeOff], tuple[str, uuid.UUID] | None]:
        """The practitioner's time off over [start, end), and the active session holding the
        practitioner (first) or the room then, if any."""
        rows = (
            await self._session.execute(
                _OBSTACLES, clash_params(practitioner_id, room_id, start, end, excluding)
            )
        ).all()
        away = [
            TimeOff(starts_at=r.starts_at, ends_at=r.ends_at, reason=r.reason)
            for r in rows
            if r.starts_at is not None
        ]
        clash = rows[0]
        if clash.clash_id is None:
            return away, None
        return away, ("practitioner" if clash.by_practitioner else "room", clash.clash_id)


def _course(row: Any) -> Course:
    return Course(
        **{c.name: row[c.name] for c in courses.c} | {"status": CourseStatus(row["status"])}
    )


def _treatment(row: Any) -> Treatment | None:
    if row["t_code"] is None:
        return None
    return Treatment(**{c.name: row[f"t_{c.name}"] for c in treatments.c})
