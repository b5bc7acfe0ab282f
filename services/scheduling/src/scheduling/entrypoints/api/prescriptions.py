"""Prescription routes: change a course's prescription, read its history, override a rule for a
course, and record a patient's allergies and contraindications."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from scheduling.domain.prescriptions import Rule
from scheduling.entrypoints.api.course_schemas import CoursePublic
from scheduling.entrypoints.api.courses import course_public
from scheduling.entrypoints.api.deps import Clinical, ClinicalStaff, ScopeDep, Staff
from scheduling.entrypoints.api.prescription_schemas import (
    ConditionsBody,
    ConditionsPublic,
    KitAdjustmentPublic,
    OverrideBody,
    OverridePublic,
    PrescriptionPublic,
    PrescriptionUpdate,
    adjustments_by_product,
)
from scheduling.service_layer import courses, prescriptions

router = APIRouter(tags=["prescriptions"])


@router.patch("/v1/courses/{course_id}/prescription", response_model=CoursePublic)
async def change_prescription(
    course_id: uuid.UUID, body: PrescriptionUpdate, scope: ScopeDep, who: Clinical
) -> CoursePublic:
    """Change the prescription for the sessions not yet done (practitioners and admins); the
    fields not named stay as they were, `kit_adjustments` replaces the earlier list. A
    practitioner changes only the courses of patients they treat."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
    change = prescriptions.PrescriptionChange(
        sessions_planned=body.sessions_planned,
        min_interval_days=body.min_interval_days,
        max_interval_days=body.max_interval_days,
        kit_adjustments=adjustments_by_product(body.kit_adjustments),
    )
    course = await prescriptions.change_prescription(scope, course_id, change, by=who.subject)
    await scope.uow.commit()
    return course_public(await courses.view(scope, course))


@router.get("/v1/courses/{course_id}/prescriptions", response_model=list[PrescriptionPublic])
async def prescription_history(
    course_id: uuid.UUID, scope: ScopeDep, who: Staff
) -> list[PrescriptionPublic]:
    """Every revision of the course's prescription, oldest first, with who made it; 403 to a
    practitioner who does not treat its patient."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
    return [
        PrescriptionPublic(
            revision=r.revision,
            sessions_planned=r.prescription.sessions_planned,
            min_interval_days=r.prescription.min_interval_days,
            max_interval_days=r.prescription.max_interval_days,
            kit_adjustments=[
                KitAdjustmentPublic(product_code=p, quantity=n)
                for p, n in sorted(r.prescription.kit_adjustments.items())
            ],
            prescribed_by=r.prescribed_by,
            prescribed_at=r.prescribed_at,
        )
        for r in await prescriptions.history(scope, course_id)
    ]


@router.post(
    "/v1/courses/{course_id}/overrides",
    response_model=OverridePublic,
    status_code=status.HTTP_201_CREATED,
)
async def override_rule(
    course_id: uuid.UUID, body: OverrideBody, scope: ScopeDep, who: Clinical
) -> OverridePublic:
    """Set a rule aside for this course, with a reason (practitioners and admins only; a
    practitioner, only on the courses of patients they treat)."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
    override = await prescriptions.record_override(
        scope, course_id, Rule(body.rule), body.reason, by=who.subject
    )
    await scope.uow.commit()
    return OverridePublic(course_id=course_id, **vars(override))


@router.get("/v1/patients/{patient_id}/conditions", response_model=ConditionsPublic)
async def read_conditions(
    patient_id: uuid.UUID, scope: ScopeDep, who: ClinicalStaff
) -> ConditionsPublic:
    """The patient's allergies and contraindications; a practitioner's own patients only."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
    conditions = await prescriptions.read_conditions(scope, patient_id)
    return ConditionsPublic(patient_id=patient_id, **vars(conditions))


@router.put("/v1/patients/{patient_id}/conditions", response_model=ConditionsPublic)
async def record_conditions(
    patient_id: uuid.UUID, body: ConditionsBody, scope: ScopeDep, who: ClinicalStaff
) -> ConditionsPublic:
    """Record the patient's allergies and contraindications as they now stand; a practitioner,
    for their own patients only."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
    conditions = await prescriptions.record_conditions(
        scope,
        patient_id,
        allergies=body.allergies,
        contraindications=body.contraindications,
        by=who.subject,
    )
    await scope.uow.commit()
    return ConditionsPublic(patient_id=patient_id, **vars(conditions))
