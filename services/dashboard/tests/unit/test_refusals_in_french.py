"""Scheduling's refusals of a date, and its flag on a session inside an absence, read in French:
built by scheduling's own code, so a change of its words shows here."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from typing import cast
from zoneinfo import ZoneInfo

import httpx
import pytest

from clinic_shared.errors import AppError
from clinic_shared.problems import problem
from dashboard import i18n
from dashboard.clients import ServiceProblem
from dashboard.wording import closure_flag
from scheduling.domain.closures import describe
from scheduling.domain.errors import (
    ClinicClosed,
    Contraindicated,
    CourseAlreadyActive,
    CourseFull,
    DuplicatePatient,
    ErasedPatient,
    MaintenanceTooEarly,
    OutsideHorizon,
    OutsideWorkingHours,
    TooLateToChange,
    UnknownTreatment,
)
from scheduling.domain.model import AbsenceKind, Course, TimeOff, WorkingHours
from scheduling.domain.patients import Patient

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2030, 3, 11, 9, tzinfo=UTC)


@pytest.fixture
def french() -> Iterator[None]:
    token = i18n.current.set("fr")
    yield
    i18n.current.reset(token)


def as_read(error: AppError) -> ServiceProblem:
    """The refusal as the dashboard reads scheduling's problem+json answer."""
    answer = problem(
        error.status,
        error.title,
        error.detail,
        slug=error.type_slug,
        instance="/",
        **error.extensions,
    )
    return ServiceProblem.from_response(
        httpx.Response(answer.status_code, json=json.loads(answer.body))
    )


def away(kind: AbsenceKind, reason: str = "") -> TimeOff:
    return TimeOff(MONDAY, MONDAY.replace(hour=18), reason, kind)


def test_a_closed_clinic_is_said_in_french_with_the_reason_staff_gave(french: None) -> None:
    closed = as_read(ClinicClosed(away(AbsenceKind.CLOSURE, "Travaux")))
    holiday = as_read(ClinicClosed(away(AbsenceKind.HOLIDAY, "Lundi de Pâques")))

    assert closed.detail == (
        "La clinique est fermée à ce moment-là (Travaux) : choisissez un autre jour."
    )
    assert closed.fields == {"starts_at": closed.detail}
    assert holiday.detail == (
        "La clinique est fermée à ce moment-là (jour férié : Lundi de Pâques) : choisissez un "
        "autre jour."
    )


def test_outside_working_hours_names_the_hours_of_that_day_in_french(french: None) -> None:
    hours = [WorkingHours(0, time(9), time(13)), WorkingHours(0, time(14), time(18))]
    monday = as_read(OutsideWorkingHours(MONDAY, hours, PARIS))
    sunday = as_read(OutsideWorkingHours(MONDAY.replace(day=10), hours, PARIS))

    assert monday.detail == (
        "Le praticien ne travaille pas à cette heure-là (horaires ce jour-là : 09:00-13:00, "
        "14:00-18:00) : choisissez une autre heure."
    )
    assert sunday.detail == "Le praticien ne travaille pas ce jour-là : choisissez un autre jour."


def test_a_date_past_the_horizon_names_the_days_allowed_in_french(french: None) -> None:
    refused = as_read(OutsideHorizon("body.starts_at", MONDAY.date(), datetime(2032, 3, 11)))

    assert refused.detail == (
        "Choisissez une date du lun. 11 mars 2030 au jeu. 11 mars 2032 : la clinique ne "
        "réserve pas plus loin et ne garde rien de plus ancien."
    )


def test_a_new_courses_refusals_read_in_french(french: None) -> None:
    early = as_read(MaintenanceTooEarly(date(2030, 3, 11), uuid.uuid4()))
    conflicting = as_read(Contraindicated(["lidocaine allergy"]))

    assert early.detail == (
        "La cure précédente de cette zone s'est terminée trop récemment : cette cure peut "
        "commencer au plus tôt le lun. 11 mars 2030, sauf si un praticien écarte la règle."
    )
    assert conflicting.detail == (
        "La cure est en conflit avec le dossier du patient (lidocaine allergy) : modifiez la "
        "prescription, ou un praticien écarte la règle."
    )


def test_a_duplicate_patient_says_what_matched_in_french(french: None) -> None:
    existing = Patient(
        uuid.uuid4(), "Chloé", "Martin", None, "c@example.com", "fr", "sms", False, False, MONDAY
    )

    by_email = as_read(DuplicatePatient(existing, by_email=True))
    by_phone = as_read(DuplicatePatient(existing, by_email=False))

    assert by_email.fields == {
        "email": "Un patient est déjà inscrit avec cet e-mail : ouvrez sa fiche."
    }
    assert by_phone.detail == (
        "Un patient est déjà inscrit avec ce téléphone et ce nom : ouvrez sa fiche."
    )


def test_a_course_refused_for_its_area_or_its_count_reads_in_french(french: None) -> None:
    active = as_read(
        CourseAlreadyActive(cast(Course, SimpleNamespace(id=uuid.uuid4())), area="thighs")
    )
    elsewhere = as_read(
        CourseAlreadyActive(cast(Course, SimpleNamespace(id=uuid.uuid4())), area="lower_back")
    )
    full = as_read(CourseFull(10))

    assert active.detail == (
        "Le patient a déjà une cure en cours pour cette zone (cuisses) : réservez les séances qui "
        "lui manquent plutôt qu'une deuxième cure."
    )
    assert "(lower back)" in elsewhere.detail  # an area the dashboard does not know: as named
    assert full.detail == (
        "Toutes les séances de cette cure sont déjà réservées ou faites : modifiez le nombre de "
        "séances de la cure pour en réserver d'autres."
    )


def test_an_erased_patient_and_an_unknown_treatment_read_in_french(french: None) -> None:
    erased = as_read(ErasedPatient(uuid.uuid4()))
    unknown = as_read(UnknownTreatment("cellulite-knees"))

    assert erased.fields == {
        "patient_id": "Ce patient a été effacé : il ne reçoit plus de nouvelle cure ni de séance. "
        "Inscrivez-le à nouveau s'il revient."
    }
    assert unknown.fields == {
        "treatment_code": "Ce traitement n'est pas au catalogue : choisissez-en un dans la liste."
    }


@pytest.mark.parametrize(
    ("hours", "french_words"),
    [
        (24, "moins de 24 heures"),
        (1, "moins de 1 heure"),
        (1.5, "moins de 1,5 heures"),
    ],
)
def test_a_patients_change_too_late_says_to_call_in_french(
    french: None, hours: float, french_words: str
) -> None:
    late = as_read(TooLateToChange(MONDAY, hours))

    assert late.detail == (
        f"Cette séance commence dans {french_words} : appelez la clinique pour la modifier."
    )


def test_a_refusal_without_its_facts_or_of_an_unknown_type_keeps_the_services_words(
    french: None,
) -> None:
    bare = {"type": "https://errors.clinic.example/outside-horizon", "detail": "Too far."}
    other = {"type": "https://errors.clinic.example/fire-drill", "detail": "All out."}

    assert ServiceProblem.from_response(httpx.Response(422, json=bare)).detail == "Too far."
    assert ServiceProblem.from_response(httpx.Response(422, json=other)).detail == "All out."


@pytest.mark.parametrize(
    ("kind", "french_words"),
    [
        (AbsenceKind.TIME_OFF, "pendant une absence du praticien"),
        (AbsenceKind.CLOSURE, "pendant une fermeture de la clinique"),
        (AbsenceKind.HOLIDAY, "un jour férié"),
    ],
)
def test_a_sessions_absence_flag_reads_in_french_keeping_the_reason_typed(
    french: None, kind: AbsenceKind, french_words: str
) -> None:
    assert closure_flag(describe(away(kind, "Congrès"))) == f"{french_words} : Congrès"
    assert closure_flag(describe(away(kind))) == french_words


def test_a_flag_worded_otherwise_is_shown_as_scheduling_wrote_it(french: None) -> None:
    assert closure_flag("during a fire drill: all out") == "during a fire drill: all out"
