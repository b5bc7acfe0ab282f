"""Scheduling's course events: whether a course still has sessions to come, and the kit its
prescription says each session uses."""

from __future__ import annotations

from collections import Counter

from clinic_shared.contracts.events import (
    CourseAbandoned,
    CourseCompleted,
    CourseCreated,
    CourseFacts,
    CoursePrescribed,
)
from clinic_shared.db import utcnow
from inventory.domain.sessions import BookedSession
from inventory.service_layer.reserving import (
    announce,
    fill_kit,
    fill_shortages,
    release,
    session_kit,
    settle_after_commit,
)
from inventory.service_layer.scope import Scope


async def record_course(event: CourseFacts, scope: Scope, status: str) -> None:
    """Know the course; a completed or abandoned one stays so whatever arrives after."""
    await scope.courses.record(
        event.course_id,
        treatment_code=event.treatment_code,
        sessions_planned=event.sessions_planned,
        status=status,
    )


async def course_created(event: CourseCreated, scope: Scope) -> None:
    await record_course(event, scope, "active")


async def course_completed(event: CourseCompleted, scope: Scope) -> None:
    await record_course(event, scope, "completed")


async def course_abandoned(event: CourseAbandoned, scope: Scope) -> None:
    await record_course(event, scope, "abandoned")


async def course_prescribed(event: CoursePrescribed, scope: Scope) -> None:
    """Keep the course's newest prescription, and hold its kit for every session of the course
    still booked (the sessions not yet done); an older revision arriving late changes nothing."""
    applied = await scope.courses.prescribe(
        event.course_id,
        treatment_code=event.treatment_code,
        sessions_planned=event.sessions_planned,
        revision=event.revision,
        kit_adjustments={a.product_code: a.quantity for a in event.kit_adjustments},
    )
    if not applied:
        return
    for booked in await scope.sessions.booked_of_course(event.course_id):
        await _rekit(scope, booked)


async def _rekit(scope: Scope, booked: BookedSession) -> None:
    """Make what the session holds match its kit as now prescribed: give back the products it
    holds more of (or no longer uses), then take what it lacks, FEFO."""
    kit = {line.product_code: line.quantity for line in await session_kit(scope, booked)}
    held = await scope.sessions.reservations(booked.session_id)
    counts = Counter[str]()
    for reservation in held:
        counts[reservation.product_code] += reservation.quantity
    too_many = {p for p, n in counts.items() if n > kit.get(p, 0)}
    freed = await release(scope, [r for r in held if r.product_code in too_many])
    for product_code in set(await scope.sessions.shortages(booked.session_id)) - set(kit):
        await scope.sessions.set_shortage(booked.session_id, product_code, 0)
    now = utcnow()
    short = await fill_kit(scope, booked, now)
    await announce(scope, booked, short)
    settle_after_commit(scope, set(short))
    await fill_shortages(scope, freed, now)  # what it gave back may serve others short of it
