"""A course's gaps as staff see them, and staff accepting them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from clinic_shared.contracts.events import CourseGapsAccepted
from scheduling.domain.errors import WrongState
from scheduling.domain.gaps import Gap, GapAcceptance, acceptance_of, gaps
from scheduling.domain.model import Course, Session
from scheduling.service_layer.access import check_treats
from scheduling.service_layer.scope import Scope


@dataclass(frozen=True)
class GapView:
    gap: Gap
    acceptance: GapAcceptance | None


async def gaps_of(scope: Scope, course: Course, sessions: list[Session]) -> list[GapView]:
    """The course's gaps in start order, each with the acceptance covering it, if any."""
    # The treatment's own bounds (issue 19: "interval bounds"), not a course's narrower
    # prescription: sessions booked apart under an earlier prescription are not a gap.
    treatment = await scope.treatment(course.treatment_code)
    found = gaps(sessions, treatment, scope.clinic.zone)
    if not found:
        return []
    accepted = await scope.calendar.gap_acceptances(course.id)
    return [GapView(gap, acceptance_of(gap, accepted)) for gap in found]


async def accept_gaps(scope: Scope, course_id: uuid.UUID, accepted_by: str) -> Course:
    """Record that staff accept the course's gaps not yet accepted: the interval is no longer
    flagged broken for them. A 409 when the course has no gap."""
    course = await scope.course(course_id, lock=True)
    await check_treats(scope, course.patient_id)
    views = await gaps_of(scope, course, await scope.calendar.sessions_of(course.id))
    if not views:
        raise WrongState("The course keeps its interval: it has no gap to accept.")
    open_gaps = [view.gap for view in views if view.acceptance is None]
    for gap in open_gaps:
        acceptance = GapAcceptance(
            from_at=gap.before.starts_at,
            to_at=gap.after.starts_at,
            accepted_by=accepted_by,
            accepted_at=scope.clinic.now,
        )
        await scope.calendar.accept_gap(course.id, acceptance)
    if open_gaps:
        scope.uow.emit(
            CourseGapsAccepted(
                course_id=course.id,
                patient_id=course.patient_id,
                practitioner_id=course.practitioner_id,
                treatment_code=course.treatment_code,
                sessions_planned=course.sessions_planned,
                accepted_by=accepted_by,
                gaps=len(open_gaps),
            )
        )
    return course
