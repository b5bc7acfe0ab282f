"""A course's prescription, what its kit holds against the patient's conditions, and the
maintenance pause after a finished course: pure rules."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from scheduling.domain.errors import BadPrescription, Contraindicated, MaintenanceTooEarly
from scheduling.domain.model import Course, Treatment, Window


class Rule(StrEnum):
    """The rules a practitioner may set aside for one course, with a reason."""

    MAINTENANCE_INTERVAL = "maintenance_interval"
    CONTRAINDICATIONS = "contraindications"


@dataclass(frozen=True)
class Prescription:
    sessions_planned: int
    min_interval_days: int
    max_interval_days: int
    kit_adjustments: Mapping[str, int]


@dataclass(frozen=True)
class Override:
    rule: str
    reason: str
    overridden_by: str
    overridden_at: datetime


@dataclass(frozen=True)
class Conditions:
    allergies: list[str]
    contraindications: list[str]
    recorded_by: str | None = None
    recorded_at: datetime | None = None


def prescription_of(course: Course, treatment: Treatment) -> Prescription:
    """The course's prescription, the treatment's interval where the course names none."""
    return Prescription(
        sessions_planned=course.sessions_planned,
        min_interval_days=course.min_interval_days or treatment.min_interval_days,
        max_interval_days=course.max_interval_days or treatment.max_interval_days,
        kit_adjustments=dict(course.kit_adjustments),
    )


def as_prescribed(treatment: Treatment, course: Course) -> Treatment:
    """The treatment with the course's interval: what every interval rule of the course uses."""
    prescription = prescription_of(course, treatment)
    return replace(
        treatment,
        min_interval_days=prescription.min_interval_days,
        max_interval_days=prescription.max_interval_days,
    )


def check_prescription(prescription: Prescription, treatment: Treatment, held: int) -> None:
    """Refuse an interval outside the treatment's bounds, or fewer sessions than the course
    holds already (`held`: its active and completed ones); a 422 naming each field."""
    errors = []
    low, high = treatment.min_interval_days, treatment.max_interval_days
    bounds = f"within the treatment's {low} to {high} days"
    if not low <= prescription.min_interval_days <= high:
        errors.append({"field": "body.min_interval_days", "reason": bounds})
    if not low <= prescription.max_interval_days <= high:
        errors.append({"field": "body.max_interval_days", "reason": bounds})
    if prescription.min_interval_days > prescription.max_interval_days:
        errors.append({"field": "body.max_interval_days", "reason": "less than min_interval_days"})
    if prescription.sessions_planned < held:
        errors.append(
            {
                "field": "body.sessions_planned",
                "reason": f"the course holds {held} sessions already",
            }
        )
    if errors:
        raise BadPrescription(errors)


def kit_substances(treatment: Treatment, adjustments: Mapping[str, int]) -> set[str]:
    """What a session's kit holds: the treatment's standard kit (its `contains`), less the
    products prescribed at 0 vials, plus those prescribed at more. A product's code names its
    substance (the catalogue's products are named so: lidocaine, caffeine, ...)."""
    held = {_key(s) for s in treatment.contains}
    held -= {_key(p) for p, n in adjustments.items() if n == 0}
    return held | {_key(p) for p, n in adjustments.items() if n > 0}


def conflicts(
    treatment: Treatment,
    adjustments: Mapping[str, int],
    allergies: Iterable[str],
    contraindications: Iterable[str],
) -> list[str]:
    """Each of the patient's allergies the kit holds (`allergy: lidocaine`) and each of their
    conditions the treatment is contraindicated by (`contraindication: pregnancy`)."""
    substances = kit_substances(treatment, adjustments)
    ruled_out = {_key(c) for c in treatment.contraindications}
    found = [f"allergy: {a}" for a in sorted({_key(a) for a in allergies}) if a in substances]
    found += [
        f"contraindication: {c}"
        for c in sorted({_key(c) for c in contraindications})
        if c in ruled_out
    ]
    return found


@dataclass(frozen=True)
class FinishedCourse:
    """One of the patient's completed courses, as the pause after it is counted: its area, its
    treatment's pause and when its last completed session started (None: none was)."""

    id: uuid.UUID
    area: str
    maintenance_interval_days: int | None
    last_session_at: datetime | None


@dataclass(frozen=True)
class Floor:
    """The first day a course may start after the previous course of its area."""

    day: date
    previous_course_id: uuid.UUID


def floor_after(finished: Iterable[FinishedCourse], area: str, zone: ZoneInfo) -> Floor | None:
    """The first day a new course of `area` may start: the latest end of a pause after a
    finished course of the area, counted in days from its last session's clinic-local day;
    None when no such course had a session or its treatment sets no pause."""
    floor = None
    for course in finished:
        days, last = course.maintenance_interval_days, course.last_session_at
        if course.area != area or days is None or last is None:
            continue
        day = last.astimezone(zone).date() + timedelta(days=days)
        if floor is None or day > floor.day:
            floor = Floor(day, course.id)
    return floor


@dataclass(frozen=True)
class BookingGuards:
    """What a booking checks beyond its slot, read with the course: the rules set aside for the
    course, the patient's conditions and their finished courses."""

    overridden: Collection[str]
    allergies: list[str]
    contraindications: list[str]
    finished: list[FinishedCourse]


def check_guards(
    guards: BookingGuards,
    course: Course,
    treatment: Treatment,
    starts_at: datetime,
    field: str,
    zone: ZoneInfo,
) -> None:
    """Refuse a booking whose kit or treatment conflicts with the patient's conditions (409
    naming each), then one before the pause after the previous course of the area (422 naming
    the earliest day); either unless a practitioner set the rule aside for the course."""
    if Rule.CONTRAINDICATIONS not in guards.overridden:
        found = conflicts(
            treatment, course.kit_adjustments, guards.allergies, guards.contraindications
        )
        if found:
            raise Contraindicated(found)
    if Rule.MAINTENANCE_INTERVAL not in guards.overridden:
        floor = floor_after(guards.finished, treatment.area, zone)
        if floor is not None and starts_at.astimezone(zone).date() < floor.day:
            raise MaintenanceTooEarly(floor.day, floor.previous_course_id, field)


def not_before(window: Window, day: date | None) -> Window:
    """The window, starting on `day` at the earliest."""
    if day is None or (window.earliest is not None and window.earliest >= day):
        return window
    return replace(window, earliest=day)


def _key(name: str) -> str:
    """Names compare trimmed and without case: "Lidocaine " is lidocaine."""
    return name.strip().lower()
