"""How a session ends: cancelled, missed, or completed with the products used."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

from clinic_shared.contracts.events import (
    CourseCompleted,
    ProductUsed,
    SessionCancelled,
    SessionCompleted,
    SessionNoShow,
)
from scheduling.domain.access import check_acts_on_session
from scheduling.domain.errors import WrongState
from scheduling.domain.lots import LotVerdict, refuse_unusable_lots
from scheduling.domain.model import UPCOMING, Course, CourseStatus, Session, SessionStatus
from scheduling.domain.rules import local_day
from scheduling.service_layer.scope import Scope, facts


class LotChecker(Protocol):
    """Inventory's word on whether lots may go into a patient on a clinic day."""

    async def check(self, session_on: date, used: Sequence[ProductUsed]) -> list[LotVerdict]: ...


async def _upcoming(scope: Scope, session_id: uuid.UUID, verb: str) -> tuple[Session, Course]:
    """The session and its course, locked course first, as every use case locks them."""
    found = await scope.session(session_id)
    check_acts_on_session(scope.actor, found.practitioner_id)
    course = await scope.course(found.course_id, lock=True)
    session = await scope.session(session_id, lock=True)
    check_acts_on_session(scope.actor, session.practitioner_id)
    _upcoming_now(session, verb)
    return session, course


def _upcoming_now(session: Session, verb: str) -> None:
    if session.status not in UPCOMING:
        raise WrongState(f"A {session.status.value} session cannot be {verb}.")


def _started(scope: Scope, session: Session, verb: str) -> None:
    if scope.clinic.now < session.starts_at:
        raise WrongState(
            f"The session has not started yet ({session.starts_at.isoformat()}); "
            f"it can be {verb} once it has.",
            starts_at=session.starts_at.isoformat(),
        )


async def cancel(scope: Scope, session_id: uuid.UUID, reason: str | None) -> Session:
    """Cancel a booked session and free its slot."""
    session, course = await _upcoming(scope, session_id, "cancelled")
    session = replace(session, revision=session.revision + 1)  # a calendar's new revision
    await scope.calendar.update_session(
        session.id,
        scope.clinic.now,
        status=SessionStatus.CANCELLED,
        cancel_reason=reason,
        revision=session.revision,
    )
    await scope.record("session", session.id, "cancelled", ("status", "cancel_reason"))
    await scope.renumber(course)
    action = scope.action(1)
    scope.uow.emit(SessionCancelled(**facts(session, course, action=action), reason=reason))
    return await scope.session(session.id)


async def no_show(scope: Scope, session_id: uuid.UUID) -> Session:
    session, course = await _upcoming(scope, session_id, "marked as a no-show")
    _started(scope, session, "marked as a no-show")
    await scope.calendar.update_session(session.id, scope.clinic.now, status=SessionStatus.NO_SHOW)
    await scope.record("session", session.id, "no_show", ("status",))
    await scope.renumber(course)
    scope.uow.emit(SessionNoShow(**facts(session, course)))
    return await scope.session(session.id)


async def _check_lots(
    scope: Scope, session: Session, used: list[ProductUsed], lots: LotChecker
) -> None:
    if used:
        verdicts = await lots.check(local_day(session.starts_at, scope.clinic.zone), used)
        refuse_unusable_lots(used, verdicts)


async def complete(
    scope: Scope, session_id: uuid.UUID, products_used: list[ProductUsed], lots: LotChecker
) -> Session:
    """Record the session as done with the lots used, once inventory says each may be used on
    the session's day; the course completes with its last session."""
    # Inventory is asked before any row is locked: a slow answer must not hold the course.
    before = await scope.session(session_id)
    check_acts_on_session(scope.actor, before.practitioner_id)
    _upcoming_now(before, "completed")
    _started(scope, before, "completed")
    await _check_lots(scope, before, products_used, lots)
    session, course = await _upcoming(scope, session_id, "completed")
    _started(scope, session, "completed")
    if session.starts_at != before.starts_at:  # moved meanwhile: ask for its new day
        await _check_lots(scope, session, products_used, lots)
    await scope.calendar.update_session(
        session.id,
        scope.clinic.now,
        status=SessionStatus.COMPLETED,
        products_used=[p.model_dump() for p in products_used],
    )
    await scope.record("session", session.id, "completed", ("status", "products_used"))
    scope.uow.emit(SessionCompleted(**facts(session, course), products_used=products_used))
    sessions = await scope.calendar.sessions_of(course.id)
    done = sum(s.status is SessionStatus.COMPLETED for s in sessions)
    if done >= course.sessions_planned and course.status is CourseStatus.ACTIVE:
        await scope.calendar.set_course_status(course.id, CourseStatus.COMPLETED)
        await scope.record("course", course.id, "completed", ("status",))
        scope.uow.emit(
            CourseCompleted(
                course_id=course.id,
                patient_id=course.patient_id,
                practitioner_id=course.practitioner_id,
                treatment_code=course.treatment_code,
                sessions_planned=course.sessions_planned,
            )
        )
    return await scope.session(session.id)
