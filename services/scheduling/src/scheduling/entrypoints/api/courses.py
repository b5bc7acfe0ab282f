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
    CourseOpening,
    CoursePublic,
    GapPublic,
    NewCoursePlanBody,
    PlanBody,
    ProposedPublic,
    SessionPublic,
    WindowPublic,
)
from scheduling.entrypoints.api.deps import ClinicalStaff, FrontDesk, ScopeDep, Staff
from scheduling.entrypoints.api.prescription_schemas import (
    KitAdjustmentPublic,
    OverridePublic,
    PrescriptionPublic,
    adjustments_by_product,
)
from scheduling.service_layer import audit, courses, gaps
from scheduling.service_layer.courses import CourseView
from scheduling.service_layer.gaps import GapView

router = APIRouter(prefix="/v1/courses", tags=["courses"])
# Its own path, not /v1/courses/plan: under /v1/courses/ a GET of "plan" reads as a course id
# (422 where a client is owed 405).
plans_router = APIRouter(prefix="/v1/course-plans", tags=["courses"])


def session_public(session: Session) -> SessionPublic:
    """A session as answered: numbered when it counts, "was N" when cancelled or missed."""
    public = SessionPublic(**vars(session))  # not asdict: it deep-copies, for nothing here
    if not session.active:
        public.sequence, public.was_sequence = None, session.sequence
    return public


def course_public(view: CourseView) -> CoursePublic:
    window, course, prescription = view.next_window, view.course, view.prescription
    return CoursePublic(
        **vars(course),
        sessions=[session_public(s) for s in view.sessions],
        sessions_active=sum(s.active for s in view.sessions),
        next_window=WindowPublic(**asdict(window)) if window else None,
        interval_broken=view.interval_broken,
        gaps=[gap_public(g) for g in view.gaps],
        prescription=PrescriptionPublic(
            revision=course.prescription_revision,
            sessions_planned=prescription.sessions_planned,
            min_interval_days=prescription.min_interval_days,
            max_interval_days=prescription.max_interval_days,
            kit_adjustments=[
                KitAdjustmentPublic(product_code=p, quantity=n)
                for p, n in sorted(prescription.kit_adjustments.items())
            ],
            prescribed_by=course.prescribed_by,
            prescribed_at=course.prescribed_at,
        ),
        overrides=[OverridePublic(course_id=course.id, **vars(o)) for o in view.overrides],
    )


def gap_public(view: GapView) -> GapPublic:
    accepted = view.acceptance
    return GapPublic(
        previous_session_id=view.gap.before.id,
        next_session_id=view.gap.after.id,
        days=view.gap.days,
        accepted_by=accepted.accepted_by if accepted else None,
        accepted_at=accepted.accepted_at if accepted else None,
    )


@router.post("", response_model=CoursePublic, status_code=status.HTTP_201_CREATED)
async def create_course(body: CourseCreate, scope: ScopeDep, who: FrontDesk) -> CoursePublic:
    """Open a course with its prescription: the session count, the interval within the
    treatment's bounds (the treatment's when not named) and the kit's adjustments. With
    `sessions`, they are booked as it opens, all or none: one refused, and the course is not
    opened either (the refusal names `body.sessions[i].starts_at`)."""
    scope.act_as(who.subject, who.role)
    fields = body.model_dump(exclude={"kit_adjustments", "sessions"})
    adjustments = adjustments_by_product(body.kit_adjustments)
    course = await courses.open_course(scope, **fields, kit_adjustments=adjustments, by=who.subject)
    if body.sessions:
        starts = [courses.PlannedStart(s.starts_at, s.room_id) for s in body.sessions]
        await courses.book_plan(scope, course.course.id, starts)
        course = await courses.read_course(scope, course.course.id)
    await scope.uow.commit()
    return course_public(course)


@plans_router.post("", response_model=list[ProposedPublic])
async def plan_new_course(
    body: NewCoursePlanBody, scope: ScopeDep, who: FrontDesk
) -> list[ProposedPublic]:
    """Propose every session of a course not yet opened; nothing is opened or booked.

    The course is opened inside this request's transaction, planned, and the transaction
    rolled back (never committed): the plan is judged by every rule opening it would meet
    (one active course per area, the prescription, the pause after the last course, the
    contraindications), and a plan refused or given up leaves nothing behind. Book it with
    `POST /v1/courses` and its `sessions`, which opens the course and books them at once."""
    scope.act_as(who.subject, who.role)
    opening = body.model_dump(include=set(CourseOpening.model_fields) - {"kit_adjustments"})
    adjustments = adjustments_by_product(body.kit_adjustments)
    course = await courses.open_course(
        scope, **opening, kit_adjustments=adjustments, by=who.subject
    )
    options = courses.PlanOptions(
        first_day=body.first_date,
        weekdays=body.weekday_set(),
        time_of_day=body.time_of_day,
        room_id=body.room_id,
    )
    proposed = await courses.plan(scope, course.course.id, options)
    return [ProposedPublic(**asdict(p)) for p in proposed]  # no commit: nothing is written


@router.get("", response_model=list[CoursePublic])
async def list_courses(
    scope: ScopeDep, who: Staff, patient_id: Annotated[uuid.UUID, Query()]
) -> list[CoursePublic]:
    """The patient's courses; 403 to a practitioner who does not treat the patient."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
    return [course_public(c) for c in await courses.courses_of(scope, patient_id)]


@router.get("/{course_id}", response_model=CourseRecord)
async def read_course(course_id: uuid.UUID, scope: ScopeDep, who: Staff) -> CourseRecord:
    """The course with its sessions, its next window and its audit trail; 403 to a
    practitioner who does not treat its patient."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
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


@router.post("/{course_id}/accept-gaps", response_model=CoursePublic)
async def accept_gaps(course_id: uuid.UUID, scope: ScopeDep, who: ClinicalStaff) -> CoursePublic:
    """Accept the course's gaps as they are: its interval is no longer flagged broken for them
    (recorded with the caller and the time). 409 when the course has no gap; 403 to a
    practitioner who does not treat the patient."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
    course = await gaps.accept_gaps(scope, course_id, who.subject)
    answer = course_public(await courses.view(scope, course))
    await scope.uow.commit()
    return answer
