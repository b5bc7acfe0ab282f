from __future__ import annotations

import re

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer, eventually

from .conftest import Clinic
from .test_booking import choices, plan_form, propose, register

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def test_a_booked_course_shows_its_sessions_consent_and_scheduled_reminders(
    clinic: Clinic,
) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    await clinic.client.post(
        "/book/confirm", data=plan_form(await propose(clinic, token, patient_id), token)
    )

    async def partial() -> str:
        return (await clinic.client.get(f"/patients/{patient_id}/partial")).text

    # The first session can be too soon for a reminder (its time already past), so its messages
    # alone may show none, and notifications may apply that booking on its own, before the rest.
    reminder = re.compile(r"Reminder, session \d+</td>\s*<td[^>]*>SMS</td>\s*<td[^>]*>due ")
    page = await eventually(partial, until=lambda html: reminder.search(html) is not None)
    assert "message-scheduled" in page
    assert "10 of 10 sessions booked or done" in page
    assert re.search(r"Agrees to SMS</dt><dd>yes", page)
    assert "Session 10:" in page


async def test_a_cancelled_session_shows_what_it_was_and_is_not_counted(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    await clinic.client.post(
        "/book/confirm", data=plan_form(await propose(clinic, token, patient_id), token)
    )
    desk = bearer("receptionist")
    listed = await clinic.api("scheduling").get(
        "/v1/courses", params={"patient_id": patient_id}, headers=desk
    )
    [course] = listed.json()
    third, fourth = (s for s in course["sessions"] if s["sequence"] in {3, 4})
    for session in (third, fourth):  # the fourth is session 3 when cancelled: "was 3" as well
        cancelled = await clinic.api("scheduling").post(
            f"/v1/sessions/{session['id']}/cancel", json={}, headers=desk
        )
        assert cancelled.status_code == 200, cancelled.text

    page = (await clinic.client.get(f"/patients/{patient_id}/partial")).text

    assert "8 of 10 sessions booked or done" in page
    assert page.count("Session (was 3):") == 2
    assert page.count("Session 3:") == 1
    assert "Session 8:" in page
    assert "Session 9:" not in page
    read = await clinic.api("scheduling").get(f"/v1/courses/{course['id']}", headers=desk)
    [gap] = read.json()["gaps"]
    assert f"Interval broken: {gap['days']} days between two sessions." in page


async def test_a_course_with_nothing_booked_shows_when_the_next_session_is_due(
    clinic: Clinic,
) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    practitioners, _ = await choices(clinic, patient_id)
    opened = await clinic.api("scheduling").post(
        "/v1/courses",
        json={
            "patient_id": patient_id,
            "treatment_code": "cellulite-thighs",
            "practitioner_id": practitioners[0],
        },
        headers=bearer("receptionist"),
    )  # opened, nothing booked
    assert opened.status_code == 201, opened.text

    page = (await clinic.client.get(f"/patients/{patient_id}/partial")).text

    assert "0 of 10 sessions booked or done" in page
    assert "Next session due between" in page


async def test_searching_patients_finds_them_by_name(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)

    found = await clinic.client.get("/patients/found", params={"q": "Hart"})
    nothing = await clinic.client.get("/patients/found", params={"q": "Zzyzx"})

    assert "Amelia Hart" in found.text
    assert "No patient matches" in nothing.text


async def test_an_unknown_patient_is_a_clear_message_not_a_stack_trace(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)

    response = await clinic.client.get("/patients/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert 'class="banner"' in response.text
    assert "Traceback" not in response.text


async def test_a_stock_manager_cannot_open_a_patient(dashboard) -> None:
    await dashboard.sign_in_as(Role.STOCK_MANAGER)

    response = await dashboard.client.get("/patients/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 403


async def test_an_edit_changes_details_in_scheduling_and_consent_in_notifications(
    clinic: Clinic,
) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    edit = f"/patients/{patient_id}/edit"

    async def partial() -> str:
        return (await clinic.client.get(f"/patients/{patient_id}/partial")).text

    await eventually(partial, until=lambda html: "Agrees to SMS</dt><dd>yes" in html)
    form = await clinic.client.get(edit)
    saved = await clinic.client.post(
        edit,
        data={
            "csrf_token": token,
            "first_name": "Nora",
            "last_name": "Quinn-Hart",
            "phone": "+44 7911 123456",
            "email": "nora@example.com",
            "language": "en",
            "preferred_channel": "email",
            "consent_email": "on",
        },
    )

    assert 'name="consent_sms" checked' in form.text
    assert saved.status_code == 303, saved.text
    page = await eventually(partial, until=lambda html: "nora@example.com" in html)
    assert re.search(r"Agrees to SMS</dt><dd>no", page)
    assert re.search(r"Agrees to email</dt><dd>yes", page)
    assert "SMS opted out (by staff)" in page
    assert "EMAIL opted in (by staff)" in page
    patient = (await clinic.client.get(f"/patients/{patient_id}")).text
    assert "Nora Quinn-Hart" in patient


async def test_an_edit_the_services_refuse_shows_why_beside_the_field(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)

    refused = await clinic.client.post(
        f"/patients/{patient_id}/edit",
        data={"csrf_token": token, "first_name": "Nora", "last_name": "Quinn", "phone": "",
              "email": "", "language": "en", "preferred_channel": "sms"},
    )  # fmt: skip

    assert refused.status_code == 422
    assert 'id="e-phone"' in refused.text
