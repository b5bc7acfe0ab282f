"""SQL for courses and their sessions."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from clinic_shared.db import utcnow
from clinic_shared.direct import Direct
from clinic_shared.outbox import Repository
from scheduling.adapters.orm import (
    course_gap_acceptances,
    courses,
    patients,
    practitioners,
    rooms,
    sessions,
    treatments,
)
from scheduling.domain.gaps import GapAcceptance
from scheduling.domain.model import (
    ACTIVE,
    UPCOMING,
    AgendaEntry,
    Course,
    CourseStatus,
    Session,
    SessionStatus,
)
from scheduling.domain.prescriptions import FinishedCourse

ACTIVE_VALUES = [s.value for s in ACTIVE]
# The statuses written into the SQL once: a list given to in_() is an expanding parameter,
# rendered again at every execution of the statement.
IS_ACTIVE = sessions.c.status.in_(
    [sa.literal_column(f"'{value}'", sa.String) for value in sorted(ACTIVE_VALUES)]
)
# The longest a session can last (the treatments table's CHECK): a session overlapping a range
# starts at most this long before it, which bounds every overlap query to a window of the
# (practitioner_id, starts_at) index instead of the resource's whole history.
LONGEST_SESSION = timedelta(minutes=240)


def version_stamp() -> datetime:
    """A session row's `updated_at`, its version for reconciliation (`GET /v1/sessions/states`).

    The real clock, as events' `occurred_at` is, not the clinic's `now` (which tests move):
    written after the row is locked and before its event is emitted, it is newer than every
    event of an earlier change and not newer than this change's own event.
    """
    return utcnow()


SESSION_COLUMNS = [
    sessions.c.id,
    sessions.c.course_id,
    sessions.c.patient_id,
    sessions.c.sequence,
    sessions.c.practitioner_id,
    sessions.c.room_id,
    sessions.c.starts_at,
    sessions.c.ends_at,
    sessions.c.status,
    sessions.c.stock_at_risk,
    sessions.c.closure_conflict,
    sessions.c.revision,
]


# A patient's finished courses, as the pause after each is counted (`FinishedCourse`): one
# row per course, its last completed session's start read beside it. The booking's facts read
# the same rows as JSON (adapters/bookings.py), with the course they lock.
FINISHED = courses.alias("finished")
FINISHED_TREATMENT = treatments.alias("finished_treatment")
_FINISHED_SESSION = sessions.alias("finished_session")
FINISHED_LAST_SESSION = (
    sa.select(sa.func.max(_FINISHED_SESSION.c.starts_at))
    .where(
        _FINISHED_SESSION.c.course_id == FINISHED.c.id,
        _FINISHED_SESSION.c.status == SessionStatus.COMPLETED.value,
    )
    .scalar_subquery()
)
FINISHED_FROM = FINISHED.join(
    FINISHED_TREATMENT, FINISHED_TREATMENT.c.code == FINISHED.c.treatment_code
)


def finished_where(
    patient_id: sa.ColumnElement[Any], excluding: sa.ColumnElement[Any]
) -> sa.ColumnElement[bool]:
    return sa.and_(
        FINISHED.c.patient_id == patient_id,
        FINISHED.c.status == CourseStatus.COMPLETED.value,
        FINISHED.c.id != excluding,
    )


_FINISHED_COURSES = (
    sa.select(
        FINISHED.c.id,
        FINISHED_TREATMENT.c.area,
        FINISHED_TREATMENT.c.maintenance_interval_days,
        FINISHED_LAST_SESSION.label("last_session_at"),
    )
    .select_from(FINISHED_FROM)
    .where(finished_where(sa.bindparam("patient_id"), sa.bindparam("excluding")))
)


# Statements of the booking path, built once: building a statement costs more CPU than
# running it, and a prebuilt one also keeps its compiled-cache key.
_COURSE = sa.select(courses).where(courses.c.id == sa.bindparam("id"))
_COURSE_LOCKED = _COURSE.with_for_update()
_SESSIONS_OF = (
    sa.select(*SESSION_COLUMNS)
    .where(sessions.c.course_id == sa.bindparam("course_id"))
    .order_by(sessions.c.starts_at)
)
_BY_PATIENT = sessions.c.patient_id == sa.bindparam("patient_id")
_BY_PRACTITIONER = sessions.c.practitioner_id == sa.bindparam("practitioner_id")
_HELD = sa.case(
    (_BY_PATIENT, sa.literal_column("'patient'", sa.String)),
    (_BY_PRACTITIONER, sa.literal_column("'practitioner'", sa.String)),
    else_=sa.literal_column("'room'", sa.String),
)
# The first active session holding the patient, else the practitioner, else the room over
# [start, end): the patient first, as no other practitioner or room frees them.
CLASH = (
    sa.select(sessions.c.id, _HELD.label("resource"))
    .where(
        sa.or_(_BY_PATIENT, _BY_PRACTITIONER, sessions.c.room_id == sa.bindparam("room_id")),
        IS_ACTIVE,
        sessions.c.starts_at < sa.bindparam("end"),
        sessions.c.starts_at > sa.bindparam("earliest"),
        sessions.c.ends_at > sa.bindparam("start"),
    )
    .order_by(_BY_PATIENT.desc(), _BY_PRACTITIONER.desc())
    .limit(1)
)
# The same, other than the sessions `excluding` (those being moved). A booking excludes none and
# uses CLASH: an expanding parameter is rendered again at every execution.
CLASH_EXCLUDING = CLASH.where(sessions.c.id.not_in(sa.bindparam("excluding", expanding=True)))
_ADD_SESSION = sa.insert(sessions)
# Built once: every booking's stock report runs it (building costs more CPU than running it).
# Inventory's news can arrive out of order: only a newer report changes the flag.
_SET_STOCK_FLAG = Direct(
    sa.update(sessions)
    .where(
        sessions.c.id == sa.bindparam("session_id"),
        sa.or_(
            sessions.c.stock_checked_at.is_(None),
            sessions.c.stock_checked_at <= sa.bindparam("reported_at"),
        ),
    )
    .values(stock_at_risk=sa.bindparam("at_risk"), stock_checked_at=sa.bindparam("reported_at"))
)


def clash_params(
    patient_id: uuid.UUID,
    practitioner_id: uuid.UUID,
    room_id: uuid.UUID,
    start: datetime,
    end: datetime,
) -> dict[str, Any]:
    """CLASH's parameters (CLASH_EXCLUDING's also take `excluding`)."""
    return {
        "patient_id": patient_id,
        "practitioner_id": practitioner_id,
        "room_id": room_id,
        "start": start,
        "end": end,
        "earliest": start - LONGEST_SESSION,
    }


_AGENDA_NAMES = (
    "treatment_code",
    "treatment_name",
    "practitioner_name",
    "room_name",
    "patient_name",
)


def _filtered(query: sa.Select[Any], filters: dict[str, Any]) -> sa.Select[Any]:
    """`query` narrowed to the sessions overlapping [from, to) and matching the other filters.

    A session overlapping `from` starts at most LONGEST_SESSION before it: saying so lets the
    planner read a window of the `starts_at` index rather than every session since the first.
    """
    if (start := filters.get("from")) is not None:
        query = query.where(
            sessions.c.ends_at > start, sessions.c.starts_at > start - LONGEST_SESSION
        )
    if (end := filters.get("to")) is not None:
        query = query.where(sessions.c.starts_at < end)
    for name in ("practitioner_id", "room_id", "course_id", "status"):
        if (value := filters.get(name)) is not None:
            query = query.where(sessions.c[name] == value)
    return query


def _session(row: Any) -> Session:
    values = dict(row._mapping)
    values["status"] = SessionStatus(values["status"])
    return Session(**values)


def _course(row: Any) -> Course:
    values = dict(row._mapping)
    values["status"] = CourseStatus(values["status"])
    return Course(**values)


class CalendarRepository(Repository):
    async def add_course(self, course: Course) -> None:
        await self._session.execute(sa.insert(courses).values(**asdict(course)))

    async def course(self, id: uuid.UUID, *, lock: bool = False) -> Course | None:
        query = _COURSE_LOCKED if lock else _COURSE
        row = (await self._session.execute(query, {"id": id})).one_or_none()
        return _course(row) if row else None

    async def set_course_status(self, id: uuid.UUID, status: CourseStatus) -> None:
        await self._session.execute(
            sa.update(courses).where(courses.c.id == id).values(status=status.value)
        )

    async def courses_of(self, patient_id: uuid.UUID) -> list[Course]:
        rows = await self._session.execute(
            sa.select(courses)
            .where(courses.c.patient_id == patient_id)
            .order_by(courses.c.created_at)
        )
        return [_course(r) for r in rows]

    async def finished_courses(
        self, patient_id: uuid.UUID, *, excluding: uuid.UUID
    ) -> list[FinishedCourse]:
        """The patient's completed courses but `excluding`, each with its area, its pause and
        its last completed session: what a maintenance pause is counted from, in one read
        whatever the patient's history."""
        rows = await self._session.execute(
            _FINISHED_COURSES, {"patient_id": patient_id, "excluding": excluding}
        )
        return [FinishedCourse(**r._mapping) for r in rows]

    async def gap_acceptances(self, course_id: uuid.UUID) -> list[GapAcceptance]:
        accepted = course_gap_acceptances.c
        rows = await self._session.execute(
            sa.select(accepted.from_at, accepted.to_at, accepted.accepted_by, accepted.accepted_at)
            .where(accepted.course_id == course_id)
            .order_by(accepted.from_at)
        )
        return [GapAcceptance(**r._mapping) for r in rows]

    async def accept_gap(self, course_id: uuid.UUID, acceptance: GapAcceptance) -> None:
        await self._session.execute(
            sa.insert(course_gap_acceptances).values(
                id=uuid.uuid4(), course_id=course_id, **asdict(acceptance)
            )
        )

    async def add_session(self, session: Session, now: datetime) -> None:
        # vars, not asdict: asdict deep-copies every field, and these are all immutable.
        values = vars(session) | {
            "status": session.status.value,
            "created_at": now,
            "updated_at": version_stamp(),
        }
        await self._session.execute(_ADD_SESSION, values)

    async def session(self, id: uuid.UUID, *, lock: bool = False) -> Session | None:
        query = sa.select(*SESSION_COLUMNS).where(sessions.c.id == id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return _session(row) if row else None

    async def sessions_of(self, course_id: uuid.UUID) -> list[Session]:
        rows = await self._session.execute(_SESSIONS_OF, {"course_id": course_id})
        return [_session(r) for r in rows]

    async def update_session(self, id: uuid.UUID, now: datetime, **values: Any) -> None:
        if isinstance(values.get("status"), SessionStatus):
            values["status"] = values["status"].value
        values["updated_at"] = version_stamp()
        await self._session.execute(sa.update(sessions).where(sessions.c.id == id).values(**values))

    async def first_overlap(
        self,
        column: str,
        resource_id: uuid.UUID,
        start: datetime,
        end: datetime,
        *,
        excluding: set[uuid.UUID] | None = None,
    ) -> uuid.UUID | None:
        """An active session of this patient, practitioner or room overlapping [start, end)."""
        query = sa.select(sessions.c.id).where(
            sessions.c[column] == resource_id,
            IS_ACTIVE,
            sessions.c.starts_at < end,
            sessions.c.starts_at > start - LONGEST_SESSION,
            sessions.c.ends_at > start,
        )
        if excluding:
            query = query.where(sessions.c.id.not_in(excluding))
        return await self._session.scalar(query.limit(1))

    async def busy(
        self, column: str, resource_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """Active sessions of a patient, practitioner or room within [start, end): reads only
        that window."""
        rows = await self._session.execute(
            sa.select(sessions.c.starts_at, sessions.c.ends_at).where(
                sessions.c[column] == resource_id,
                IS_ACTIVE,
                sessions.c.starts_at < end,
                sessions.c.starts_at > start - LONGEST_SESSION,
                sessions.c.ends_at > start,
            )
        )
        return [(r.starts_at, r.ends_at) for r in rows]

    async def upcoming_within(
        self,
        start: datetime,
        end: datetime,
        *,
        practitioner_id: uuid.UUID | None = None,
        flagged_only: bool = False,
    ) -> list[Session]:
        """Booked and confirmed sessions overlapping [start, end), of one practitioner or all;
        with `flagged_only`, those carrying a closure conflict."""
        query = sa.select(*SESSION_COLUMNS).where(
            sessions.c.status.in_([s.value for s in UPCOMING]),
            sessions.c.starts_at < end,
            sessions.c.ends_at > start,
        )
        if practitioner_id is not None:
            query = query.where(sessions.c.practitioner_id == practitioner_id)
        if flagged_only:
            query = query.where(sessions.c.closure_conflict.is_not(None))
        rows = await self._session.execute(query.order_by(sessions.c.starts_at, sessions.c.id))
        return [_session(r) for r in rows]

    async def hold_bookings(self) -> None:
        """Hold every booking and move until the commit: what a new time off or closure finds
        under it is then all there is.

        A table lock, as no row stands for "the calendar". EXCLUSIVE mode conflicts with the
        ROW EXCLUSIVE lock of a booking's insert and the ROW SHARE lock of a move's
        `SELECT ... FOR UPDATE`, so either the closure waits for them (and sees their sessions)
        or they wait for it (and see it); plain reads go on. Absences are rare; bookings pause
        for the few milliseconds one takes.
        """
        await self._session.execute(sa.text("LOCK TABLE sessions IN EXCLUSIVE MODE"))

    async def wait_for_absences(self) -> None:
        """Wait for a time off or closure being recorded (`hold_bookings`) to commit, and hold
        the next one off until this transaction ends: for a booking that reads before it writes.

        ROW EXCLUSIVE is the lock the booking's insert takes anyway: it conflicts with
        EXCLUSIVE only, so bookings do not wait for one another.
        """
        await self._session.execute(sa.text("LOCK TABLE sessions IN ROW EXCLUSIVE MODE"))

    async def list_sessions(
        self, filters: dict[str, Any], limit: int, offset: int
    ) -> list[Session]:
        query = _filtered(sa.select(*SESSION_COLUMNS), filters)
        rows = await self._session.execute(
            query.order_by(sessions.c.starts_at, sessions.c.id).limit(limit).offset(offset)
        )
        return [_session(r) for r in rows]

    async def agenda(self, filters: dict[str, Any], *, with_patients: bool) -> list[AgendaEntry]:
        """The sessions the filters select with their treatment, practitioner, room and (if
        `with_patients`) patient names, in one joined statement: the agenda of a week is
        hundreds of sessions, which the dashboard otherwise looked up one course and one
        patient at a time."""
        patient_name = (
            (patients.c.first_name + " " + patients.c.last_name) if with_patients else sa.null()
        )
        query = _filtered(
            sa.select(
                *SESSION_COLUMNS,
                courses.c.treatment_code,
                treatments.c.name.label("treatment_name"),
                practitioners.c.name.label("practitioner_name"),
                rooms.c.name.label("room_name"),
                patient_name.label("patient_name"),
            )
            .join(courses, courses.c.id == sessions.c.course_id)
            .join(treatments, treatments.c.code == courses.c.treatment_code)
            .join(practitioners, practitioners.c.id == sessions.c.practitioner_id)
            .join(rooms, rooms.c.id == sessions.c.room_id)
            .join(patients, patients.c.id == sessions.c.patient_id),
            filters,
        )
        rows = await self._session.execute(query.order_by(sessions.c.starts_at, sessions.c.id))
        entries = []
        for row in rows:
            values = dict(row._mapping)
            names = {key: values.pop(key) for key in _AGENDA_NAMES}
            values["status"] = SessionStatus(values["status"])
            entries.append(AgendaEntry(session=Session(**values), **names))
        return entries

    async def confirm(self, id: uuid.UUID, confirmed_at: datetime, now: datetime) -> None:
        """A booked session becomes confirmed, unless it was moved after `confirmed_at` (the
        patient confirmed the old time, not the new one)."""
        await self._session.execute(
            sa.update(sessions)
            .where(
                sessions.c.id == id,
                sessions.c.status == SessionStatus.BOOKED.value,
                sa.or_(
                    sessions.c.rescheduled_at.is_(None),
                    sessions.c.rescheduled_at <= confirmed_at,
                ),
            )
            .values(
                status=SessionStatus.CONFIRMED.value,
                confirmed_at=confirmed_at,
                updated_at=version_stamp(),
            )
        )

    async def set_stock_flag(self, id: uuid.UUID, *, at_risk: bool, reported_at: datetime) -> None:
        """Flag the session's stock at risk or not, unless a newer report set it already."""
        await _SET_STOCK_FLAG.run(
            self._session, {"session_id": id, "reported_at": reported_at, "at_risk": at_risk}
        )
