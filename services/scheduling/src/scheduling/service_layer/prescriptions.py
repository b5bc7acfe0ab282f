"""Prescriptions, overrides and a patient's conditions; the checks they add to a booking."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from clinic_shared.contracts.events import CourseCompleted, CoursePrescribed, KitAdjustment
from clinic_shared.errors import NotFound
from scheduling.adapters.prescriptions import Revision
from scheduling.domain import prescriptions as rules
from scheduling.domain.errors import Contraindicated, MaintenanceTooEarly, WrongState
from scheduling.domain.model import ACTIVE, Course, CourseStatus, SessionStatus, Treatment
from scheduling.domain.prescriptions import Conditions, Floor, Override, Prescription, Rule
from scheduling.domain.rules import local_day
from scheduling.service_layer.access import check_treats
from scheduling.service_layer.scope import Scope


@dataclass(frozen=True)
class PrescriptionChange:
    """What a change names; the rest stays as prescribed."""

    sessions_planned: int | None = None
    min_interval_days: int | None = None
    max_interval_days: int | None = None
    kit_adjustments: dict[str, int] | None = None


async def prescribe(
    scope: Scope, course: Course, prescription: Prescription, *, by: str, revision: int
) -> None:
    """Make `prescription` the course's (checked against its treatment) and announce it."""
    treatment = await scope.treatment(course.treatment_code)
    sessions = await scope.calendar.sessions_of(course.id)
    rules.check_prescription(prescription, treatment, sum(s.status in ACTIVE for s in sessions))
    now = scope.clinic.now
    await scope.prescriptions.record(course.id, revision, prescription, by=by, at=now)
    adjustments = [
        KitAdjustment(product_code=p, quantity=n)
        for p, n in sorted(prescription.kit_adjustments.items())
    ]
    scope.uow.emit(
        CoursePrescribed(
            course_id=course.id,
            patient_id=course.patient_id,
            practitioner_id=course.practitioner_id,
            treatment_code=course.treatment_code,
            sessions_planned=prescription.sessions_planned,
            revision=revision,
            min_interval_days=prescription.min_interval_days,
            max_interval_days=prescription.max_interval_days,
            kit_adjustments=adjustments,
        )
    )


async def change_prescription(
    scope: Scope, course_id: uuid.UUID, change: PrescriptionChange, *, by: str
) -> Course:
    """Change an active course's prescription for the sessions not yet done, recorded with
    who made it; inventory holds the new kit for the sessions still booked."""
    course = await scope.course(course_id, lock=True)
    await check_treats(scope, course.patient_id)
    if course.status is not CourseStatus.ACTIVE:
        raise WrongState(f"The course is {course.status.value}; its prescription stays as it was.")
    current = rules.prescription_of(course, await scope.treatment(course.treatment_code))
    named = {k: v for k, v in vars(change).items() if v is not None}
    await prescribe(
        scope, course, replace(current, **named), by=by, revision=course.prescription_revision + 1
    )
    course = await scope.course(course_id)
    await _complete_when_done(scope, course)
    return course


async def _complete_when_done(scope: Scope, course: Course) -> None:
    """A course cut down to the sessions it has done is complete."""
    sessions = await scope.calendar.sessions_of(course.id)
    if sum(s.status is SessionStatus.COMPLETED for s in sessions) < course.sessions_planned:
        return
    await scope.calendar.set_course_status(course.id, CourseStatus.COMPLETED)
    scope.uow.emit(
        CourseCompleted(
            course_id=course.id,
            patient_id=course.patient_id,
            practitioner_id=course.practitioner_id,
            treatment_code=course.treatment_code,
            sessions_planned=course.sessions_planned,
        )
    )


async def history(scope: Scope, course_id: uuid.UUID) -> list[Revision]:
    """Every revision of the course's prescription, oldest first; NotTheirPatient to a
    practitioner who does not treat its patient."""
    course = await scope.course(course_id)
    await check_treats(scope, course.patient_id)
    return await scope.prescriptions.history(course_id)


async def record_override(
    scope: Scope, course_id: uuid.UUID, rule: Rule, reason: str, *, by: str
) -> Override:
    """A practitioner sets `rule` aside for the course, saying why."""
    course = await scope.course(course_id, lock=True)
    await check_treats(scope, course.patient_id)
    if course.status is not CourseStatus.ACTIVE:
        raise WrongState(f"The course is {course.status.value}.")
    override = Override(rule.value, reason, by, scope.clinic.now)
    await scope.prescriptions.override(course.id, override)
    return override


async def read_conditions(scope: Scope, patient_id: uuid.UUID) -> Conditions:
    if await scope.patients.get(patient_id) is None:
        raise NotFound(f"No patient {patient_id}.")
    await check_treats(scope, patient_id)
    return await scope.prescriptions.conditions(patient_id)


async def record_conditions(
    scope: Scope,
    patient_id: uuid.UUID,
    *,
    allergies: list[str],
    contraindications: list[str],
    by: str,
) -> Conditions:
    """Record the patient's allergies and contraindications as they now stand."""
    if await scope.patients.get(patient_id, lock=True) is None:
        raise NotFound(f"No patient {patient_id}.")
    await check_treats(scope, patient_id)
    conditions = Conditions(
        sorted({a.strip().lower() for a in allergies}),
        sorted({c.strip().lower() for c in contraindications}),
        by,
        scope.clinic.now,
    )
    await scope.prescriptions.set_conditions(patient_id, conditions)
    return conditions


async def maintenance_floor(scope: Scope, course: Course) -> Floor | None:
    """The first day the course may start after the previous course of its area; None when
    there is none, or the rule is overridden. (A booking reads the same with its course, in
    `BookingRepository.facts`, and checks it with `rules.check_guards`.)"""
    if Rule.MAINTENANCE_INTERVAL in await scope.prescriptions.overrides(course.id):
        return None
    area = (await scope.treatment(course.treatment_code)).area
    finished = await scope.calendar.finished_courses(course.patient_id, excluding=course.id)
    return rules.floor_after(finished, area, scope.clinic.zone)


async def check_course_dates(
    scope: Scope, course: Course, starts: list[datetime], fields: list[str]
) -> None:
    """Refuse a start before the maintenance floor (422 naming the earliest day)."""
    floor = await maintenance_floor(scope, course)
    if floor is None:
        return
    for starts_at, field in zip(starts, fields, strict=True):
        if local_day(starts_at, scope.clinic.zone) < floor.day:
            raise MaintenanceTooEarly(floor.day, floor.previous_course_id, field)


async def check_conditions(
    scope: Scope, course: Course, treatment: Treatment, field: str = "body.course_id"
) -> None:
    """Refuse a course whose kit or treatment conflicts with the patient's allergies or
    contraindications (409 naming each), unless a practitioner overrode it."""
    if Rule.CONTRAINDICATIONS in await scope.prescriptions.overrides(course.id):
        return
    conditions = await scope.prescriptions.conditions(course.patient_id)
    found = rules.conflicts(
        treatment, course.kit_adjustments, conditions.allergies, conditions.contraindications
    )
    if found:
        raise Contraindicated(found, field)
