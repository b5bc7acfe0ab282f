"""Scheduling's course events: whether a course still has sessions to come."""

from __future__ import annotations

from clinic_shared.contracts.events import (
    CourseAbandoned,
    CourseCompleted,
    CourseCreated,
    CourseFacts,
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
