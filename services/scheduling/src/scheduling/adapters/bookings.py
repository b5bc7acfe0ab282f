"""The booking path's reads, each one statement: a booking is CPU-bound on the round trips it
makes (every statement costs a few hundred microseconds of Python), not on what PostgreSQL does.

Statements are built once: building one costs more CPU than running it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.db import UTCDateTime
from clinic_shared.direct import Direct
from clinic_shared.outbox import Repository
from scheduling.adapters.calendar import (
    CLASH,
    CLASH_EXCLUDING,
    FINISHED,
    FINISHED_FROM,
    FINISHED_LAST_SESSION,
    FINISHED_TREATMENT,
    IS_ACTIVE,
    SESSION_COLUMNS,
    clash_params,
    finished_where,
    version_stamp,
)
from scheduling.adapters.orm import (
    closures,
    course_overrides,
    courses,
    patient_conditions,
    practitioners,
    rooms,
    sessions,
    time_off,
    treatments,
    working_hours,
)
from scheduling.domain.model import (
    AbsenceKind,
    Course,
    CourseStatus,
    Session,
    SessionStatus,
    TimeOff,
    Treatment,
    WorkingHours,
)
from scheduling.domain.prescriptions import BookingGuards, FinishedCourse


@dataclass(frozen=True)
class BookingFacts:
    """What a booking checks before it looks at the calendar, read with the course locked."""

    course: Course
    practitioner_id: uuid.UUID  # the one asked for, else the course's
    practitioner_found: bool
    room_found: bool
    treatment: Treatment | None
    hours: list[WorkingHours]  # the practitioner's, on the weekday asked for
    guards: BookingGuards


_PRACTITIONER = sa.func.coalesce(
    sa.bindparam("practitioner_id", type_=sa.Uuid), courses.c.practitioner_id
)
_TREATMENT_COLUMNS = [c.label(f"t_{c.name}") for c in treatments.c]
# The guards of `BookingGuards`, read in the same statement: the rules set aside for the course,
# and the patient's finished courses as JSON (a list of objects, or NULL), the last session's
# start as epoch seconds. Read apart, they were five more round trips per booking and 40% of a
# booking's CPU (py-spy on `make bench ONLY=booking`); issue 27 bounds that CPU.
_OVERRIDDEN = (
    sa.select(sa.func.array_agg(course_overrides.c.rule))
    .where(course_overrides.c.course_id == courses.c.id)
    .scalar_subquery()
)
_FINISHED_JSON = (
    sa.select(
        sa.func.json_agg(
            sa.func.json_build_object(
                "id",
                FINISHED.c.id,
                "area",
                FINISHED_TREATMENT.c.area,
                "maintenance_interval_days",
                FINISHED_TREATMENT.c.maintenance_interval_days,
                "last_session_at",
                sa.extract("epoch", FINISHED_LAST_SESSION),
            ),
            type_=sa.JSON,
        )
    )
    .select_from(FINISHED_FROM)
    .where(finished_where(courses.c.patient_id, courses.c.id))
    .scalar_subquery()
)
# The course (locked) with its treatment, whether the practitioner and the room exist, the
# guards, and one row per working-hours span of the practitioner on one weekday (a LEFT JOIN:
# one row with none).
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
        _OVERRIDDEN.label("overridden"),
        patient_conditions.c.allergies,
        patient_conditions.c.contraindications,
        _FINISHED_JSON.label("finished"),
    )
    .select_from(
        courses.outerjoin(treatments, treatments.c.code == courses.c.treatment_code)
        .outerjoin(
            working_hours,
            sa.and_(
                working_hours.c.practitioner_id == _PRACTITIONER,
                working_hours.c.weekday == sa.bindparam("weekday"),
            ),
        )
        .outerjoin(patient_conditions, patient_conditions.c.patient_id == courses.c.patient_id)
    )
    .where(courses.c.id == sa.bindparam("course_id"))
    .with_for_update(of=courses)
)
_FACTS_DIRECT = Direct(_FACTS)


_AWAY = sa.and_(
    time_off.c.practitioner_id == sa.bindparam("practitioner_id"),
    time_off.c.starts_at < sa.bindparam("end"),
    time_off.c.ends_at > sa.bindparam("start"),
)
_CLOSED = sa.and_(
    closures.c.starts_at < sa.bindparam("end"), closures.c.ends_at > sa.bindparam("start")
)
# The practitioner's time off and the clinic's closures over the slot, told apart by `kind`.
_ABSENT = sa.union_all(
    sa.select(
        time_off.c.id,
        time_off.c.starts_at,
        time_off.c.ends_at,
        time_off.c.reason,
        sa.literal_column(f"'{AbsenceKind.TIME_OFF.value}'", sa.String).label("kind"),
    ).where(_AWAY),
    sa.select(
        closures.c.id,
        closures.c.starts_at,
        closures.c.ends_at,
        closures.c.reason,
        sa.literal_column(f"'{AbsenceKind.CLOSURE.value}'", sa.String).label("kind"),
    ).where(_CLOSED),
).subquery("absent")
_CLASH = CLASH_EXCLUDING.subquery("clash")
_ONE = sa.select(sa.literal(1).label("one")).subquery("one")
# The first session holding the patient, the practitioner or the room (or none), beside every
# time off of the practitioner and closure of the clinic overlapping the slot (or none): one
# row at least.
_OBSTACLES = sa.select(
    _CLASH.c.id.label("clash_id"),
    _CLASH.c.resource,
    _ABSENT.c.id,
    _ABSENT.c.starts_at,
    _ABSENT.c.ends_at,
    _ABSENT.c.reason,
    _ABSENT.c.kind,
).select_from(_ONE.outerjoin(_CLASH, sa.true()).outerjoin(_ABSENT, sa.true()))


def _nulls(*types: type[sa.types.TypeEngine[Any]]) -> list[sa.ColumnElement[Any]]:
    return [sa.cast(sa.null(), t) for t in types]


def _kind(name: str) -> sa.ColumnElement[str]:
    return sa.literal_column(f"'{name}'", sa.String).label("kind")


# A booking's second read, after the course is locked: the course's sessions, the first session
# holding the patient, the practitioner or the room, the practitioner's time off and the
# clinic's closures over the slot, one row each, told apart by `kind` (an absence's id in the
# `id` column). A session's columns first: the union takes its types from them.
_CLASHING = CLASH.subquery("clash")
_AROUND = sa.union_all(
    sa.select(
        _kind("session"),
        *SESSION_COLUMNS,
        sa.cast(sa.null(), sa.String).label("resource"),
        sa.cast(sa.null(), sa.String).label("reason"),
    ).where(sessions.c.course_id == sa.bindparam("course_id")),
    sa.select(
        _kind("clash"),
        _CLASHING.c.id,
        *_nulls(sa.Uuid, sa.Uuid, sa.Integer, sa.Uuid, sa.Uuid, UTCDateTime, UTCDateTime),
        *_nulls(sa.String, sa.Boolean, sa.String, sa.Integer),
        _CLASHING.c.resource,
        *_nulls(sa.String),
    ),
    sa.select(
        _kind(AbsenceKind.TIME_OFF.value),
        time_off.c.id,
        *_nulls(sa.Uuid, sa.Uuid, sa.Integer, sa.Uuid, sa.Uuid),
        time_off.c.starts_at,
        time_off.c.ends_at,
        *_nulls(sa.String, sa.Boolean, sa.String, sa.Integer, sa.String),
        time_off.c.reason,
    ).where(_AWAY),
    sa.select(
        _kind(AbsenceKind.CLOSURE.value),
        closures.c.id,
        *_nulls(sa.Uuid, sa.Uuid, sa.Integer, sa.Uuid, sa.Uuid),
        closures.c.starts_at,
        closures.c.ends_at,
        *_nulls(sa.String, sa.Boolean, sa.String, sa.Integer, sa.String),
        closures.c.reason,
    ).where(_CLOSED),
)
_SESSION_FIELDS = [c.name for c in SESSION_COLUMNS]
_NOW = sa.bindparam("now", type_=UTCDateTime)
# A new booked session over [start, end), numbered after the course's active sessions before it.
_ADD = sa.insert(sessions).values(
    id=sa.bindparam("new_id", type_=sa.Uuid),
    course_id=sa.bindparam("course_id"),
    patient_id=sa.bindparam("patient_id"),
    sequence=sa.select(sa.func.count() + 1)
    .where(
        sessions.c.course_id == sa.bindparam("course_id"),
        IS_ACTIVE,
        sessions.c.starts_at < sa.bindparam("start"),
    )
    .scalar_subquery(),
    practitioner_id=sa.bindparam("practitioner_id"),
    room_id=sa.bindparam("room_id"),
    starts_at=sa.bindparam("start"),
    ends_at=sa.bindparam("end"),
    status=SessionStatus.BOOKED.value,
    stock_at_risk=False,
    created_at=_NOW,
    updated_at=sa.bindparam("version", type_=UTCDateTime),
)
# PostgreSQL: the insert rides on the read. Every part of one statement sees the same snapshot,
# taken before the insert: the new session is neither among the course's sessions nor a clash.
_ADD_AROUND = Direct(_AROUND.add_cte(_ADD.cte("added")))
_AROUND_DIRECT = Direct(_AROUND)


_ABSENCE_KINDS = {AbsenceKind.TIME_OFF.value, AbsenceKind.CLOSURE.value}


@dataclass(frozen=True)
class Around:
    """What a booking checks against: the course's sessions in start order, the practitioner's
    time off and the clinic's closures over the slot, and the session holding the patient, the
    practitioner or the room (in that order of precedence)."""

    sessions: list[Session]
    away: list[TimeOff]
    clash: tuple[str, uuid.UUID] | None


class BookingRepository(Repository):
    async def facts(
        self,
        course_id: uuid.UUID,
        practitioner_id: uuid.UUID | None,
        room_id: uuid.UUID,
        weekday: int,
    ) -> BookingFacts | None:
        """Lock the course and read what a booking on it on `weekday` (0 is Monday) needs; None
        without the course."""
        params = {
            "course_id": course_id,
            "practitioner_id": practitioner_id,
            "room_id": room_id,
            "weekday": weekday,
        }
        rows = await _FACTS_DIRECT.rows(self._session, params)
        if not rows:
            return None
        first = rows[0]
        return BookingFacts(
            course=_course(first),
            practitioner_id=first.booked_practitioner_id,
            practitioner_found=bool(first.practitioner_found),
            room_found=bool(first.room_found),
            treatment=_treatment(first),
            hours=[
                WorkingHours(weekday=r.weekday, start=r.start, end=r.end)
                for r in rows
                if r.weekday is not None
            ],
            guards=_guards(first),
        )

    async def obstacles(
        self,
        patient_id: uuid.UUID,
        practitioner_id: uuid.UUID,
        room_id: uuid.UUID,
        start: datetime,
        end: datetime,
        *,
        excluding: Collection[uuid.UUID] = (),
    ) -> tuple[list[TimeOff], tuple[str, uuid.UUID] | None]:
        """The practitioner's time off and the clinic's closures over [start, end), and the
        active session holding the patient, the practitioner or the room then (in that order),
        if any."""
        params = clash_params(patient_id, practitioner_id, room_id, start, end)
        params["excluding"] = [*excluding]
        rows = (await self._session.execute(_OBSTACLES, params)).all()
        away = [
            TimeOff(r.starts_at, r.ends_at, r.reason, AbsenceKind(r.kind), r.id)
            for r in rows
            if r.starts_at is not None
        ]
        clash = rows[0]
        if clash.clash_id is None:
            return away, None
        return away, (clash.resource, clash.clash_id)

    async def around(
        self,
        course_id: uuid.UUID,
        patient_id: uuid.UUID,
        practitioner_id: uuid.UUID,
        room_id: uuid.UUID,
        start: datetime,
        end: datetime,
        *,
        adding: tuple[uuid.UUID, datetime] | None = None,
    ) -> Around:
        """What a new session of the course over [start, end) is checked against, to be read
        with the course locked; in one statement.

        With `adding` (an id, now), that session of the course's patient (`patient_id`) is
        also inserted, booked and numbered after the active sessions starting before it, in the
        same statement, whose exclusion constraints may refuse it (IntegrityError). A refused
        booking rolls it back.
        """
        params = clash_params(patient_id, practitioner_id, room_id, start, end)
        params["course_id"] = course_id
        if adding is not None:
            params |= {"new_id": adding[0], "now": adding[1], "version": version_stamp()}
        statement = _AROUND_DIRECT if adding is None else _ADD_AROUND
        found: list[Session] = []
        away: list[TimeOff] = []
        clash = None
        for row in await statement.rows(self._session, params):
            if row.kind == "session":
                values = dict(zip(_SESSION_FIELDS, row[1:], strict=False))
                found.append(Session(**values | {"status": SessionStatus(row.status)}))
            elif row.kind in _ABSENCE_KINDS:
                away.append(
                    TimeOff(row.starts_at, row.ends_at, row.reason, AbsenceKind(row.kind), row.id)
                )
            else:
                clash = (row.resource, row.id)
        return Around(sorted(found, key=lambda s: s.starts_at), away, clash)


# _FACTS's rows begin with the course's columns, then the treatment's.
_COURSE_FIELDS = [c.name for c in courses.c]
_TREATMENT_FIELDS = [c.name for c in treatments.c]
_TREATMENT_AT = len(_COURSE_FIELDS)


def _course(row: Any) -> Course:
    values = dict(zip(_COURSE_FIELDS, row, strict=False))
    return Course(**values | {"status": CourseStatus(values["status"])})


def _guards(row: Any) -> BookingGuards:
    """The guards of a facts row: JSON columns arrive decoded (the JSON type's processing),
    NULL where the patient has no conditions or no finished course."""
    finished = [
        FinishedCourse(
            id=uuid.UUID(f["id"]),
            area=f["area"],
            maintenance_interval_days=f["maintenance_interval_days"],
            last_session_at=None
            if f["last_session_at"] is None
            else datetime.fromtimestamp(f["last_session_at"], UTC),
        )
        for f in row.finished or []
    ]
    return BookingGuards(
        overridden=frozenset(row.overridden or ()),
        allergies=row.allergies or [],
        contraindications=row.contraindications or [],
        finished=finished,
    )


def _treatment(row: Any) -> Treatment | None:
    if row.t_code is None:
        return None
    return Treatment(**dict(zip(_TREATMENT_FIELDS, row[_TREATMENT_AT:], strict=False)))
