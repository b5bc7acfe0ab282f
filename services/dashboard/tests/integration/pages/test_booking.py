from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from ..conftest import Dashboard
from .conftest import Clinic

NEW_PATIENT = {
    "first_name": "Nora",
    "last_name": "Quinn",
    "phone": "+44 7911 123456",
    "email": "",
    "preferred_channel": "sms",
    "consent_sms": "on",
}

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def register(clinic: Dashboard, token: str, **fields: str) -> str:
    response = await clinic.client.post(
        "/book/patients", data=NEW_PATIENT | fields | {"csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("=", 1)[1]


async def ask_for_dates(
    clinic: Dashboard, token: str, patient_id: str, sessions_planned: str = "10"
) -> httpx.Response:
    page = await clinic.client.get("/book", params={"patient_id": patient_id})
    treatment = re.search(r'name="treatment_code".*?value="([^"]+)"', page.text, re.S)
    practitioner = re.search(r'name="practitioner_id".*?value="([^"]+)"', page.text, re.S)
    assert treatment, page.text
    assert practitioner, page.text
    form = {
        "csrf_token": token,
        "patient_id": patient_id,
        "treatment_code": treatment.group(1),
        "practitioner_id": practitioner.group(1),
        "sessions_planned": sessions_planned,
    }
    return await clinic.client.post("/book/plan", data=form)


async def propose(clinic: Dashboard, token: str, patient_id: str) -> str:
    response = await ask_for_dates(clinic, token, patient_id)
    assert response.status_code == 200, response.text
    return response.text


def plan_form(html: str, token: str) -> dict[str, str | list[str]]:
    """The proposed dates' form as the page filled it: its hidden fields and its rows."""
    plan = html[html.index('action="/book/confirm"') :]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', plan))
    return hidden | {
        "csrf_token": token,
        "starts_at": re.findall(r'name="starts_at" type="datetime-local" value="([^"]+)"', html),
        "room_id": re.findall(
            r'<select id="f-room_id-\d+" name="room_id">\s*.*?<option value="([^"]+)"[^>]*selected',
            html,
            re.S,
        ),
    }


async def courses_of(clinic: Clinic, patient_id: str) -> list[dict[str, Any]]:
    """The patient's courses, as scheduling answers them."""
    listed = await clinic.api("scheduling").get(
        "/v1/courses", params={"patient_id": patient_id}, headers=bearer("admin")
    )
    assert listed.status_code == 200, listed.text
    courses: list[dict[str, Any]] = listed.json()
    return courses


async def choices(clinic: Clinic, patient_id: str) -> tuple[list[str], list[str]]:
    """The practitioners' and rooms' ids the booking form offers."""
    page = await clinic.client.get("/book", params={"patient_id": patient_id})
    practitioners = re.search(r'name="practitioner_id".*?</select>', page.text, re.S)
    rooms = re.search(r'name="room_id".*?</select>', page.text, re.S)
    assert practitioners, page.text
    assert rooms, page.text
    return (
        re.findall(r'value="([^"]+)"', practitioners.group(0)),
        re.findall(r'value="([^"]+)"', rooms.group(0)),
    )


async def test_a_receptionist_registers_a_patient_and_books_all_ten_proposed_dates(clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)

    plan = await propose(clinic, token, patient_id)
    form = plan_form(plan, token)
    assert len(form["starts_at"]) == 10
    booked = await clinic.client.post("/book/confirm", data=form)

    assert booked.status_code == 303, booked.text
    page = await clinic.client.get(booked.headers["location"])
    assert "10 sessions booked" in page.text
    partial = await clinic.client.get(f"/patients/{patient_id}/partial")
    assert partial.text.count("Session ") >= 10


async def test_a_date_too_close_to_the_one_before_is_refused_on_its_own_row(clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    form = plan_form(await propose(clinic, token, patient_id), token)
    starts = list(form["starts_at"])
    starts[3] = starts[2][:11] + "16:00"  # session 4 on the same day as session 3

    refused = await clinic.client.post("/book/confirm", data=form | {"starts_at": starts})

    assert refused.status_code == 422
    row = re.search(r'<tr id="row-4" class="invalid">.*?</tr>', refused.text, re.S)
    assert row
    assert "Too close to or too far from the session before" in row.group(0)
    assert 'id="row-3" class="invalid"' not in refused.text
    assert await courses_of(clinic, patient_id) == []


async def test_a_phone_number_that_cannot_be_read_is_shown_beside_the_phone_field(clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)

    response = await clinic.client.post(
        "/book/patients", data=NEW_PATIENT | {"phone": "not a phone", "csrf_token": token}
    )

    assert response.status_code == 422
    assert re.search(r'id="e-phone">[^<]*phone number', response.text)
    assert 'value="Nora"' in response.text


async def test_a_stock_manager_cannot_open_booking(dashboard) -> None:
    await dashboard.sign_in_as(Role.STOCK_MANAGER)

    response = await dashboard.client.get("/book")

    assert response.status_code == 403
    assert "Your role does not give access" in response.text


@pytest.mark.parametrize("altered", ["not-an-id", ""])
async def test_an_altered_hidden_practitioner_id_is_refused_in_plain_words_and_books_nothing(
    clinic, altered
) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    form = plan_form(await propose(clinic, token, patient_id), token)

    refused = await clinic.client.post("/book/confirm", data=form | {"practitioner_id": altered})

    assert refused.status_code == 422
    assert "This form was changed or is incomplete" in refused.text
    assert await courses_of(clinic, patient_id) == []


async def test_an_altered_hidden_patient_id_is_refused_when_dates_are_proposed(clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)

    refused = await clinic.client.post(
        "/book/plan", data={"csrf_token": token, "patient_id": "42", "sessions_planned": "10"}
    )

    assert refused.status_code == 422
    assert "This form was changed or is incomplete" in refused.text


async def test_a_course_length_that_is_not_a_number_is_shown_beside_its_field(clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)

    refused = await ask_for_dates(clinic, token, patient_id, sessions_planned="ten")

    assert refused.status_code == 422
    assert re.search(r'id="e-sessions_planned">[^<]*whole number', refused.text)


async def test_a_first_date_in_the_past_says_so_and_opens_no_course(clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    page = await clinic.client.get("/book", params={"patient_id": patient_id})
    form = {
        "csrf_token": token,
        "patient_id": patient_id,
        "treatment_code": "cellulite-thighs",
        "practitioner_id": re.findall(r'name="practitioner_id".*?value="([^"]+)"', page.text, re.S)[
            0
        ],
        "first_date": (date.today() - timedelta(days=3)).isoformat(),
    }

    refused = await clinic.client.post("/book/plan", data=form)

    assert refused.status_code == 422
    error = re.search(r'<p class="error" id="e-first_date">([^<]+)</p>', refused.text)
    assert error
    assert error.group(1) == "That date is in the past. Choose today or a later day."
    assert 'value="cellulite-thighs" selected' in refused.text
    assert await courses_of(clinic, patient_id) == []


async def test_a_refused_booking_keeps_the_treatment_and_first_date_chosen(clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    page = await clinic.client.get("/book", params={"patient_id": patient_id})
    first_date = (date.today() + timedelta(days=3)).isoformat()
    chosen = {
        "csrf_token": token,
        "patient_id": patient_id,
        "treatment_code": "cellulite-thighs",
        "practitioner_id": re.findall(r'name="practitioner_id".*?value="([^"]+)"', page.text, re.S)[
            0
        ],
        "first_date": first_date,
    }
    proposed = await clinic.client.post("/book/plan", data=chosen)
    form = plan_form(proposed.text, token)
    starts = list(form["starts_at"])
    starts[3] = starts[2][:11] + "16:00"  # session 4 on the same day as session 3

    kept = re.search(r'type="hidden" name="first_date" value="([^"]*)"', proposed.text)
    assert kept, "the proposed dates' form carries the first date chosen"

    refused = await clinic.client.post(
        "/book/confirm", data=form | {"starts_at": starts, "first_date": kept.group(1)}
    )

    assert refused.status_code == 422
    assert 'value="cellulite-thighs" selected' in refused.text
    assert f'id="f-first_date" name="first_date" type="date" value="{first_date}"' in refused.text


async def test_a_proposal_refused_by_scheduling_keeps_every_choice_and_opens_no_course(
    clinic,
) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    practitioners, rooms = await choices(clinic, patient_id)
    first_date = (date.today() + timedelta(days=4000)).isoformat()  # past the booking horizon
    chosen = {
        "csrf_token": token,
        "patient_id": patient_id,
        "treatment_code": "cellulite-calves",
        "practitioner_id": practitioners[-1],
        "room_id": rooms[-1],
        "sessions_planned": "6",
        "first_date": first_date,
    }

    refused = await clinic.client.post("/book/plan", data=chosen)

    assert refused.status_code == 422
    assert 'id="e-first_date"' in refused.text
    assert 'value="cellulite-calves" selected' in refused.text
    assert f'value="{practitioners[-1]}" selected' in refused.text
    assert f'value="{rooms[-1]}" selected' in refused.text
    assert f'name="first_date" type="date" value="{first_date}"' in refused.text
    assert 'name="sessions_planned" type="number" value="6"' in refused.text
    assert await courses_of(clinic, patient_id) == []


async def test_proposed_dates_open_no_course_until_they_are_booked(clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)

    form = plan_form(await propose(clinic, token, patient_id), token)

    assert len(form["starts_at"]) == 10
    assert await courses_of(clinic, patient_id) == []  # given up here: nothing left behind


async def test_after_a_refused_booking_another_practitioner_may_take_the_same_area(
    clinic,
) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    practitioners, _ = await choices(clinic, patient_id)
    assert len(practitioners) >= 2
    chosen = {
        "csrf_token": token,
        "patient_id": patient_id,
        "treatment_code": "cellulite-thighs",
        "practitioner_id": practitioners[0],
    }
    form = plan_form((await clinic.client.post("/book/plan", data=chosen)).text, token)
    starts = list(form["starts_at"])
    starts[3] = starts[2][:11] + "16:00"  # session 4 on the same day as session 3
    refused = await clinic.client.post("/book/confirm", data=form | {"starts_at": starts})
    assert refused.status_code == 422
    assert f'value="{practitioners[0]}" selected' in refused.text

    other = chosen | {"practitioner_id": practitioners[1]}
    proposed = await clinic.client.post("/book/plan", data=other)
    assert proposed.status_code == 200, proposed.text
    booked = await clinic.client.post("/book/confirm", data=plan_form(proposed.text, token))

    assert booked.status_code == 303, booked.text
    [course] = await courses_of(clinic, patient_id)
    assert course["practitioner_id"] == practitioners[1]
    assert course["treatment_code"] == "cellulite-thighs"
    assert len(course["sessions"]) == 10


async def test_a_second_course_in_a_booked_area_is_refused_keeping_the_choices(clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    practitioners, _ = await choices(clinic, patient_id)
    thighs = {
        "csrf_token": token,
        "patient_id": patient_id,
        "treatment_code": "cellulite-thighs",
        "practitioner_id": practitioners[0],
    }
    proposed = await clinic.client.post("/book/plan", data=thighs)
    booked = await clinic.client.post("/book/confirm", data=plan_form(proposed.text, token))
    assert booked.status_code == 303, booked.text
    [held] = await courses_of(clinic, patient_id)

    intensive = thighs | {
        "treatment_code": "cellulite-thighs-intensive",  # the same area: thighs
        "practitioner_id": practitioners[1],
    }
    refused = await clinic.client.post("/book/plan", data=intensive)

    assert refused.status_code == 422, refused.text
    errors = re.findall(r'<p class="error" id="e-([^"]+)"[^>]*>([^<]+)', refused.text)
    assert errors[0][0] == "treatment_code", errors
    paris = ZoneInfo("Europe/Paris")
    first, *_, last = sorted(
        datetime.fromisoformat(s["starts_at"]).astimezone(paris) for s in held["sessions"]
    )
    assert errors[0][1] == (
        "A course of Cellulite mesotherapy: thighs is under way already, from "
        f"{first:%a %d %b %Y} to {last:%a %d %b %Y}: book its missing sessions rather than "
        "a second course."
    )
    assert held["id"] not in refused.text
    assert 'value="cellulite-thighs-intensive" selected' in refused.text
    assert f'value="{practitioners[1]}" selected' in refused.text
    assert [c["id"] for c in await courses_of(clinic, patient_id)] == [held["id"]]


async def test_a_patient_registered_at_the_desk_gets_the_clinics_language_unless_told(
    clinic,
) -> None:
    """The receptionist's pages are in English, the Paris clinic's patients get French
    messages: the form preselects French, and English is there to choose."""
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    form = (await clinic.client.get("/book")).text
    parisian = await register(clinic, token, language="fr")
    unsaid = await register(clinic, token, first_name="Léa")
    english = await register(clinic, token, first_name="Ann", language="en")
    admin = bearer(Role.ADMIN)

    async def language(patient_id: str) -> str:
        found = await clinic.api("scheduling").get(f"/v1/patients/{patient_id}", headers=admin)
        return str(found.json()["language"])

    assert re.search(r'<option value="fr" lang="fr" selected>French</option>', form)
    assert '<html lang="en">' in form
    assert [await language(p) for p in (parisian, unsaid, english)] == ["fr", "fr", "en"]
