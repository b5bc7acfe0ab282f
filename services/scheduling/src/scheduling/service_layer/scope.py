"""Scheduling's Scope: the unit of work every use case, handler and worker runs in, with the
service's repositories, the clock and the clinic's zone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from clinic_shared.contracts.events import Action, SessionRenumbered
from clinic_shared.db import utcnow
from clinic_shared.errors import AppError, NotFound
from clinic_shared.outbox import UnitOfWork
from clinic_shared.runtime import ServiceRuntime
from scheduling.adapters.audit import AuditRepository
from scheduling.adapters.bookings import BookingRepository
from scheduling.adapters.calendar import CalendarRepository
from scheduling.adapters.feeds import FeedRepository
from scheduling.adapters.nudges import NudgeRepository
from scheduling.adapters.patients import PatientRepository
from scheduling.adapters.prescriptions import PrescriptionRepository
from scheduling.adapters.reports import ReportRepository
from scheduling.adapters.session_states import SessionStateRepository
from scheduling.adapters.staff import StaffRepository
from scheduling.domain.audit import SYSTEM, Actor, AuditEntry, Kind
from scheduling.domain.model import ACTIVE, Course, Session, Treatment
from scheduling.domain.prescriptions import as_prescribed
from scheduling.domain.rules import HORIZON
from scheduling.settings import SchedulingSettings


@dataclass(frozen=True)
class Clinic:
    zone: ZoneInfo
    now: datetime
    horizon: timedelta = HORIZON  # how far ahead dates may reach (SCHEDULING_HORIZON_DAYS)
    country: str = "FR"  # whose public holidays close the clinic (CLINIC_COUNTRY)


class Scope:
    """A unit of work with scheduling's repositories."""

    def __init__(self, uow: UnitOfWork, clinic: Clinic, actor: Actor | None = None) -> None:
        self.uow = uow
        self.clinic = clinic
        self.actor = actor
        """Who the changes are made by, for the audit trail: a request's staff member (the
        route says so with `act_as`), or SYSTEM in a consumer."""
        self.audit = AuditRepository(uow.session)
        self.patients = PatientRepository(uow.session)
        self.calendar = CalendarRepository(uow.session)
        self.staff = StaffRepository(uow.session)
        self.bookings = BookingRepository(uow.session)
        self.nudges = NudgeRepository(uow.session)
        self.prescriptions = PrescriptionRepository(uow.session)
        self.states = SessionStateRepository(uow.session)
        self.feeds = FeedRepository(uow.session)
        self.reports = ReportRepository(uow.session)

    def act_as(self, subject: str, role: str, practitioner_id: uuid.UUID | None = None) -> None:
        """Record this request's changes as made by the token's `subject` in `role` (a
        practitioner's token also names the practitioner they are, whose own sessions and
        patients alone they may touch)."""
        self.actor = Actor(subject=subject, role=str(role), practitioner_id=practitioner_id)

    async def record(
        self,
        kind: Kind,
        record_ids: uuid.UUID | list[uuid.UUID],
        action: str,
        fields: Sequence[str] = (),
    ) -> None:
        """Add to the audit trail of each record: `action` on `fields`, by the actor, now."""
        if self.actor is None:
            raise RuntimeError(f"A {kind} changed with nobody acting: the route must act_as")
        ids = record_ids if isinstance(record_ids, list) else [record_ids]
        entry = AuditEntry(
            at=self.clinic.now,
            by=self.actor.subject,
            role=self.actor.role,
            action=action,
            fields=tuple(fields),
        )
        await self.audit.add(kind, ids, entry)

    async def rollback(self) -> None:
        """Drop what the unit of work wrote so far; it goes on in a new transaction."""
        await self.uow.session.rollback()

    def savepoint(self) -> AbstractAsyncContextManager[Any]:
        """A transaction nested in this one: an error inside drops only what it wrote."""
        return self.uow.session.begin_nested()

    def action(self, sessions: int) -> Action:
        """A new action of the clinic's now, touching `sessions` sessions: the events it emits
        carry it, so notifications sends one message for it."""
        return Action(id=uuid.uuid4(), at=self.clinic.now, sessions=sessions)

    async def course(self, course_id: uuid.UUID, *, lock: bool = False) -> Course:
        course = await self.calendar.course(course_id, lock=lock)
        if course is None:
            raise NotFound(f"No course {course_id}.")
        return course

    async def session(self, session_id: uuid.UUID, *, lock: bool = False) -> Session:
        session = await self.calendar.session(session_id, lock=lock)
        if session is None:
            raise NotFound(f"No session {session_id}.")
        return session

    async def treatment(self, code: str) -> Treatment:
        treatment = await self.staff.treatment(code)
        if treatment is None:
            raise NotFound(f"No treatment {code!r}.")
        return treatment

    async def course_treatment(self, course: Course) -> Treatment:
        """The course's treatment with the course's prescribed interval."""
        return as_prescribed(await self.treatment(course.treatment_code), course)

    async def renumber(
        self,
        course: Course,
        announced: Collection[uuid.UUID] = (),
        sessions: Sequence[Session] | None = None,
    ) -> dict[uuid.UUID, int]:
        """Number the course's active sessions 1..n by start; return the new numbers.

        A session whose number changed is announced (`scheduling.session.renumbered`), unless
        the caller announces it itself (`announced`) in the event of its own change. `sessions`
        are the course's sessions in start order as they stand, when the caller has them.
        """
        numbers: dict[uuid.UUID, int] = {}
        if sessions is None:
            sessions = await self.calendar.sessions_of(course.id)
        ordered = [s for s in sessions if s.status in ACTIVE]
        for number, session in enumerate(ordered, start=1):
            numbers[session.id] = number
            if session.sequence == number:
                continue
            await self.calendar.update_session(session.id, self.clinic.now, sequence=number)
            if session.id not in announced and session.sequence > 0:
                self.uow.emit(
                    SessionRenumbered(
                        **facts(session, course, number), previous_sequence=session.sequence
                    )
                )
        return numbers


def clinic_of(settings: SchedulingSettings, now: datetime) -> Clinic:
    return Clinic(zone=settings.zone, now=now, horizon=settings.horizon, country=settings.country)


@asynccontextmanager
async def open_scope(
    runtime: ServiceRuntime, *, now: datetime | None = None, actor: Actor | None = None
) -> AsyncIterator[Scope]:
    """A Scope on a new unit of work, at the runtime's clock unless told `now`, its changes
    made by `actor` (a route says who with `act_as` when it has not here)."""
    settings = runtime.settings
    assert isinstance(settings, SchedulingSettings)
    async with runtime.uow() as uow:
        yield Scope(uow, clinic_of(settings, now or runtime.clock()), actor)


def make_scope(settings: SchedulingSettings) -> Callable[[UnitOfWork], Scope]:
    """The Scope of the consumer's unit of work, for EVENT_HANDLERS: now by the wall clock, when
    the event is applied."""

    # read once: the consumers are a hot path
    zone, horizon, country = settings.zone, settings.horizon, settings.country

    def scope_of(uow: UnitOfWork) -> Scope:
        return Scope(uow, Clinic(zone=zone, now=utcnow(), horizon=horizon, country=country), SYSTEM)

    return scope_of


def facts(
    session: Session, course: Course, sequence: int | None = None, action: Action | None = None
) -> dict[str, Any]:
    """The fields every session event carries; `action` ties the events of one request."""
    return {
        "action": action,
        "session_id": session.id,
        "course_id": course.id,
        "patient_id": course.patient_id,
        "practitioner_id": session.practitioner_id,
        "room_id": session.room_id,
        "treatment_code": course.treatment_code,
        "sequence": sequence or session.sequence,
        "sessions_planned": course.sessions_planned,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "revision": session.revision,
    }


def relabel(exc: AppError, field: str, **extensions: Any) -> AppError:
    """The same refusal, its field errors pointing at `field` (a list item, a later session)."""
    errors = exc.extensions.get("errors") or [{"field": field, "reason": exc.detail}]
    exc.extensions["errors"] = [e | {"field": field} for e in errors]
    exc.extensions.update(extensions)
    return exc
