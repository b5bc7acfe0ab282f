"""Course routes: open a course, read it with its next window, plan and book the rest."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, status

from scheduling.domain.model import Session
from scheduling.entrypoints.api.audit_schemas import AuditEntryPublic, CourseRecord
from scheduling.entrypoints.api.course_schemas import (
    BookPlanBody,
    CourseCreate,
    CoursePublic,
    PlanBody,
    ProposedPublic,
    SessionPublic,
    WindowPublic,
)
from scheduling.entrypoints.api.deps import FrontDesk, ScopeDep, Staff
from scheduling.service_layer import audit, courses
from scheduling.service_layer.courses import CourseView

router = APIRouter(prefix="/v1/courses", tags=["courses"])


def session_public(session: Session) -> SessionPublic:
    return SessionPublic(**vars(session))  # not asdict: it deep-copies, for nothing here


def course_public(view: CourseView) -> CoursePublic:
    window = view.next_window
    return CoursePublic(
        **asdict(view.course),
        sessions=[session_public(s) for s in view.sessions],
        next_window=WindowPublic(**asdict(window)) if window else None,
    )


@router.post("", response_model=CoursePublic, status_code=status.HTTP_201_CREATED)
async def create_course(body: CourseCreate, scope: ScopeDep, who: FrontDesk) -> CoursePublic:
    scope.act_as(who.subject, who.role)
    course = await courses.open_course(scope, **body.model_dump())
    await scope.uow.commit()
    return course_public(course)


@router.get("", response_model=list[CoursePublic])
async def list_courses(
    scope: ScopeDep, _: Staff, patient_id: Annotated[uuid.UUID, Query()]
) -> list[CoursePublic]:
    return [course_public(c) for c in await courses.courses_of(scope, patient_id)]


@router.get("/{course_id}", response_model=CourseRecord)
async def read_course(course_id: uuid.UUID, scope: ScopeDep, _: Staff) -> CourseRecord:
    """The course with its sessions, its next window and its audit trail."""
    course = course_public(await courses.read_course(scope, course_id))
    entries = await audit.trail(scope, "course", course_id)
    return CourseRecord(
        **course.model_dump(), audit=[AuditEntryPublic(**asdict(e)) for e in entries]
    )


@router.post("/{course_id}/plan", response_model=list[ProposedPublic])
async def plan_course(
    course_id: uuid.UUID, body: PlanBody, scope: ScopeDep, _: FrontDesk
) -> list[ProposedPublic]:
    """Propose every remaining session at valid, free slots (nothing is booked)."""
    options = courses.PlanOptions(
        first_day=body.first_date,
        weekdays=body.weekday_set(),
        time_of_day=body.time_of_day,
        room_id=body.room_id,
    )
    return [ProposedPublic(**asdict(p)) for p in await courses.plan(scope, course_id, options)]


@router.post(
    "/{course_id}/book-plan",
    response_model=list[SessionPublic],
    status_code=status.HTTP_201_CREATED,
)
async def book_plan(
    course_id: uuid.UUID, body: BookPlanBody, scope: ScopeDep, who: FrontDesk
) -> list[SessionPublic]:
    """Book all the given starts, or none of them."""
    scope.act_as(who.subject, who.role)
    starts = [courses.PlannedStart(s.starts_at, s.room_id) for s in body.sessions]
    booked = await courses.book_plan(scope, course_id, starts)
    await scope.uow.commit()
    return [session_public(s) for s in booked]


@router.post("/{course_id}/abandon", response_model=CoursePublic)
async def abandon_course(course_id: uuid.UUID, scope: ScopeDep, who: FrontDesk) -> CoursePublic:
    scope.act_as(who.subject, who.role)
    course = await courses.abandon(scope, course_id)
    await scope.uow.commit()
    return course_public(course)
