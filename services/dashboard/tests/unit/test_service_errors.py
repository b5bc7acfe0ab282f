from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import httpx

from dashboard.clients import ServiceProblem, field_name
from dashboard.wording import outcome_error, scheduling_errors, window

PROBLEM = "application/problem+json"


def _problem(status: int, body: dict) -> ServiceProblem:
    return ServiceProblem.from_response(httpx.Response(status, json=body))


def test_a_problem_field_becomes_the_name_of_the_form_input() -> None:
    assert field_name("body.starts_at") == "starts_at"
    assert field_name("body.sessions.3.starts_at") == "sessions_3_starts_at"
    assert field_name("query.day") == "day"


def test_a_rules_single_field_error_carries_its_full_sentence() -> None:
    problem = _problem(
        422,
        {
            "type": "https://errors.clinic.example/maintenance-too-early",
            "detail": "The previous course of this area ended too recently.",
            "errors": [{"field": "body.starts_at", "reason": "before 2030-03-11"}],
        },
    )

    sentence = "The previous course of this area ended too recently."
    assert problem.fields == {"starts_at": sentence}


def test_validation_errors_keep_each_fields_own_reason() -> None:
    problem = _problem(
        422,
        {
            "type": "https://errors.clinic.example/validation-error",
            "detail": "The request is invalid: body.reminders.0.offset_hours.",
            "errors": [{"field": "body.reminders.0.offset_hours", "reason": "must be above 0"}],
        },
    )

    assert problem.fields == {"reminders_0_offset_hours": "Must be above 0."}


def test_a_move_that_breaks_the_next_interval_points_at_the_shift_checkbox() -> None:
    problem = _problem(
        409,
        {
            "type": "https://errors.clinic.example/conflict",
            "detail": "Moving this session breaks the interval; use shift_following: true.",
            "next_session_id": "x",
            "allowed_for_next": {"earliest": "2030-03-11", "latest": "2030-03-19"},
        },
    )

    errors = scheduling_errors(problem)

    assert list(errors) == ["shift_following"]
    assert "Mon 11 Mar and Tue 19 Mar" in errors["shift_following"]
    assert "shift_following: true" not in errors["shift_following"]


def test_an_interval_violation_names_the_allowed_days() -> None:
    problem = _problem(
        422,
        {
            "type": "https://errors.clinic.example/interval-violation",
            "detail": "Sessions of this course must fall between 2030-03-11 and 2030-03-19.",
            "window": {"earliest": "2030-03-11", "latest": "2030-03-19"},
            "errors": [{"field": "body.starts_at", "reason": "outside the allowed interval"}],
        },
    )

    assert scheduling_errors(problem) == {
        "starts_at": "Choose a day between Mon 11 Mar and Tue 19 Mar: sessions of a course "
        "keep their interval."
    }


def test_a_window_starting_in_the_past_is_shown_from_today() -> None:
    today = date(2030, 3, 13)
    assert window("2030-03-11", "2030-03-19", today) == "Wed 13 Mar to Tue 19 Mar"
    assert window(None, None, today) == "Wed 13 Mar onwards"
    assert window("2030-03-01", "2030-03-05", today) == "no day left"


def test_an_action_before_the_session_starts_says_from_when_in_clinic_time() -> None:
    problem = _problem(
        409,
        {
            "type": "https://errors.clinic.example/wrong-state",
            "detail": "The session has not started yet (2030-03-11T09:00:00+00:00); ...",
            "starts_at": "2030-03-11T09:00:00+00:00",
        },
    )

    message = outcome_error(problem, ZoneInfo("Europe/Paris"))

    assert message == "The session has not started yet: this can be done from Mon 11 Mar 10:00."


def test_a_time_in_the_past_is_explained() -> None:
    problem = _problem(
        422,
        {
            "type": "https://errors.clinic.example/validation-error",
            "detail": "A session cannot start in the past.",
            "errors": [{"field": "body.starts_at", "reason": "in the past"}],
        },
    )

    assert scheduling_errors(problem) == {
        "starts_at": "That time has already passed. Choose a later one."
    }
