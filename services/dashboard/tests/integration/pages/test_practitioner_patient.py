"""A practitioner on the page of a patient they treat: the patient, their courses and
messages as the services narrow them, the prescription to change, none of the desk's actions;
a patient they do not treat is refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

AMELIA = "00000000-0000-4000-8000-000000000001"  # Dr Claire Dubois's patient in the demo
CHLOE = "00000000-0000-4000-8000-000000000002"  # registered, no course: nobody's patient
DR_DUBOIS = "00000000-0000-4000-8000-0000000000a1"
PARIS = ZoneInfo("Europe/Paris")
DESK_ONLY = (
    "Book a course for this patient",
    "Edit details, allergies and consent",
    "/reschedule",
    "/cancel",
    "/abandon",
    "Agrees to SMS",
)


async def _course(clinic: Clinic) -> dict[str, Any]:
    courses = await clinic.api("scheduling").get(
        "/v1/courses",
        params={"patient_id": AMELIA},
        headers=bearer(Role.PRACTITIONER, practitioner_id=DR_DUBOIS),
    )
    assert courses.status_code == 200, courses.text
    return dict(courses.json()[0])


async def _page_and_partial(clinic: Clinic, patient_id: str) -> str:
    page = await clinic.client.get(f"/patients/{patient_id}")
    partial = await clinic.client.get(f"/patients/{patient_id}/partial")
    assert page.status_code == 200, page.text
    assert partial.status_code == 200, partial.text
    return page.text + partial.text


async def test_a_practitioner_opens_her_patients_page_without_the_desks_actions(
    clinic: Clinic,
) -> None:
    course = await _course(clinic)
    earliest = min(course["sessions"], key=lambda s: s["starts_at"])
    started = datetime.fromisoformat(earliest["starts_at"]) + timedelta(minutes=1)
    clinic.app.state.runtime.clock = lambda: started  # No-show once a session has started
    await clinic.sign_in_as(Role.PRACTITIONER)

    seen = await _page_and_partial(clinic, AMELIA)
    timeline = await clinic.client.get(f"/patients/{AMELIA}/timeline")

    assert "<h1>Amelia Hart</h1>" in seen
    assert "Details and allergies" in seen
    assert "Change the prescription" in seen
    assert 'name="sessions_planned"' in seen
    assert f'hx-get="/agenda/sessions/{earliest["id"]}/no-show"' in seen
    assert 'aria-labelledby="messages-h"' in seen
    assert [words for words in DESK_ONLY if words in seen] == []
    assert timeline.status_code == 200


async def test_a_receptionist_still_sees_the_desks_actions(clinic: Clinic) -> None:
    await _course(clinic)
    await clinic.sign_in_as(Role.RECEPTIONIST)

    seen = await _page_and_partial(clinic, AMELIA)

    assert [words for words in DESK_ONLY if words not in seen] == []
    assert "Change the prescription" not in seen
    assert "/no-show" not in seen


async def test_a_practitioner_changes_the_doses_and_sessions_of_her_patients_course(
    clinic: Clinic,
) -> None:
    course = await _course(clinic)
    csrf = await clinic.sign_in_as(Role.PRACTITIONER)
    base = f"/patients/{AMELIA}/courses/{course['id']}"

    form = await clinic.client.get(f"{base}/prescription")
    doses = await clinic.client.post(
        f"{base}/prescription",
        data={
            "dose_caffeine": "3",
            "dose_l-carnitine": "2",
            "dose_artichoke": "1",
            "dose_vitamin-blend": "1",
            "dose_lidocaine": "1",
            "min_interval_days": "7",
            "max_interval_days": "15",
            "csrf_token": csrf,
        },
    )
    sessions = await clinic.client.post(
        f"{base}/sessions", data={"sessions_planned": "12", "csrf_token": csrf}
    )
    partial = (await clinic.client.get(f"/patients/{AMELIA}/partial")).text

    assert form.status_code == 200
    assert doses.status_code == 303, doses.text
    assert doses.headers["location"] == f"/patients/{AMELIA}?done=prescription"
    assert sessions.status_code == 303, sessions.text
    assert "Prescribed by Dr Claire Dubois" in partial
    assert "of 12 sessions booked or done" in partial
    assert "/repair" not in partial  # booking the two missing ones is the desk's


async def test_a_practitioner_is_refused_a_patient_she_does_not_treat(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.PRACTITIONER)

    page = await clinic.client.get(f"/patients/{CHLOE}")
    partial = await clinic.client.get(f"/patients/{CHLOE}/partial")
    timeline = await clinic.client.get(f"/patients/{CHLOE}/timeline")
    listed = await clinic.client.get("/patients/found")

    assert page.status_code == 403
    assert 'class="banner"' in page.text
    assert "Martin" not in page.text
    assert partial.status_code == 403
    assert timeline.status_code == 403
    assert "Amelia" in listed.text
    assert "Chloé" not in listed.text


def _day_of(session: dict) -> str:
    """The clinic day of the session's start, as the agenda's `day` query takes it."""
    return datetime.fromisoformat(session["starts_at"]).astimezone(PARIS).date().isoformat()


async def test_my_day_links_her_own_sessions_to_their_patients_page(clinic: Clinic) -> None:
    course = await _course(clinic)
    day = _day_of(course["sessions"][0])
    await clinic.sign_in_as(Role.PRACTITIONER)

    agenda = await clinic.client.get("/agenda/sessions", params={"day": day})
    link = f'<a href="/courses/{course["id"]}/patient">Amelia Hart</a>'
    opened = await clinic.client.get(f"/courses/{course['id']}/patient")

    assert link in agenda.text
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/patients/{AMELIA}"


async def test_the_desks_agenda_links_every_session_to_its_patient(clinic: Clinic) -> None:
    course = await _course(clinic)
    day = _day_of(course["sessions"][0])
    await clinic.sign_in_as(Role.RECEPTIONIST)

    agenda = await clinic.client.get("/agenda/sessions", params={"day": day})

    assert f'<a href="/courses/{course["id"]}/patient">Amelia Hart</a>' in agenda.text


async def test_another_practitioner_gets_no_link_and_is_refused_the_patient(
    clinic: Clinic,
) -> None:
    course = await _course(clinic)
    first = course["sessions"][0]
    day = _day_of(first)
    csrf = await clinic.sign_in_as(Role.ADMIN)
    sam = {"name": "Sam Patel", "email": "sam@clinic.example", "password": "sam-password-1"}
    body = sam | {
        "role": "practitioner",
        "practitioner_id": "00000000-0000-4000-8000-0000000000a2",
        "csrf_token": csrf,
    }
    assert (await clinic.client.post("/settings/staff", data=body)).status_code == 303
    clinic.client.cookies.clear()
    await clinic.sign_in(sam["email"], sam["password"])

    agenda = await clinic.client.get("/agenda/sessions", params={"day": day})
    by_course = await clinic.client.get(f"/courses/{course['id']}/patient")
    page = await clinic.client.get(f"/patients/{AMELIA}")

    assert f'id="session-{first["id"]}"' in agenda.text
    assert '/patient"' not in agenda.text
    assert by_course.status_code == 403
    assert page.status_code == 403
