"""The checks a booking makes beyond its slot, as pure rules: the patient's conditions and the
pause after the previous course of the area (what `BookingRepository.facts` reads for them)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduling.domain.errors import Contraindicated, MaintenanceTooEarly
from scheduling.domain.model import Course, CourseStatus, Treatment
from scheduling.domain.prescriptions import BookingGuards, FinishedCourse, Rule, check_guards

PARIS = ZoneInfo("Europe/Paris")
THIGHS = Treatment(
    code="cellulite-thighs",
    name="Cellulite mesotherapy: thighs",
    area="thighs",
    session_minutes=30,
    default_sessions=10,
    min_interval_days=7,
    max_interval_days=15,
    maintenance_interval_days=30,
    contains=("caffeine", "lidocaine"),
    contraindications=("pregnancy",),
)


def course() -> Course:
    return Course(
        id=uuid.uuid4(),
        patient_id=uuid.uuid4(),
        treatment_code=THIGHS.code,
        practitioner_id=uuid.uuid4(),
        sessions_planned=10,
        status=CourseStatus.ACTIVE,
        created_at=datetime(2030, 1, 1, tzinfo=UTC),
    )


def finished(area: str, last: datetime | None, days: int | None = 30) -> FinishedCourse:
    return FinishedCourse(uuid.uuid4(), area, days, last)


def guards(
    *done: FinishedCourse, overridden: tuple[str, ...] = (), **conditions: list[str]
) -> BookingGuards:
    return BookingGuards(
        overridden=frozenset(overridden),
        allergies=conditions.get("allergies", []),
        contraindications=conditions.get("contraindications", []),
        finished=list(done),
    )


def book(on: datetime, found: BookingGuards) -> None:
    check_guards(found, course(), THIGHS, on, "body.starts_at", PARIS)


def paris(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def test_the_pause_counts_from_the_latest_finished_course_of_the_area_in_clinic_days() -> None:
    # 23:30 UTC on 31 May is 1 June in Paris: the pause ends 30 days after 1 June
    older = finished("thighs", datetime(2030, 5, 1, 9, tzinfo=UTC))
    latest = finished("thighs", datetime(2030, 5, 31, 23, 30, tzinfo=UTC))
    elsewhere = finished("abdomen", datetime(2030, 6, 20, 9, tzinfo=UTC))
    never_held = finished("thighs", None)
    found = guards(older, latest, elsewhere, never_held)
    with pytest.raises(MaintenanceTooEarly) as refused:
        book(paris(date(2030, 6, 30)), found)
    assert refused.value.extensions["earliest"] == "2030-07-01"
    assert refused.value.extensions["previous_course_id"] == str(latest.id)
    book(paris(date(2030, 7, 1)), found)


def test_a_treatment_without_a_pause_and_an_overridden_pause_refuse_nothing() -> None:
    yesterday = datetime(2030, 6, 1, 9, tzinfo=UTC)
    book(paris(date(2030, 6, 2)), guards(finished("thighs", yesterday, days=None)))
    paused = finished("thighs", yesterday)
    book(paris(date(2030, 6, 2)), guards(paused, overridden=(Rule.MAINTENANCE_INTERVAL,)))


def test_conditions_refuse_naming_each_conflict_before_the_pause() -> None:
    paused = finished("thighs", datetime(2030, 6, 1, 9, tzinfo=UTC))
    found = guards(paused, allergies=["Lidocaine"], contraindications=["pregnancy"])
    with pytest.raises(Contraindicated) as refused:
        book(paris(date(2030, 6, 2)), found)
    assert refused.value.extensions["conflicts"] == [
        "allergy: lidocaine",
        "contraindication: pregnancy",
    ]
    overridden = guards(
        allergies=["lidocaine"], overridden=(Rule.CONTRAINDICATIONS,), contraindications=[]
    )
    book(paris(date(2030, 6, 2)), overridden)
