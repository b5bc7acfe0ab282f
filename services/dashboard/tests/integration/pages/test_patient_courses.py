"""A course's actions from the patient's page, over the real services: book the missing
sessions, accept a broken interval, abandon the course, act on one session."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from .conftest import Clinic
from .test_booking import courses_of, plan_form, propose, register

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def booked_course(clinic: Clinic, role: Role = Role.RECEPTIONIST) -> tuple[str, str, dict]:
    """A new patient with ten sessions booked: the CSRF token, their id, their course."""
    token = await clinic.sign_in_as(role)
    patient_id = await register(clinic, token)
    form = plan_form(await propose(clinic, token, patient_id), token)
    assert (await clinic.client.post("/book/confirm", data=form)).status_code == 303
    [course] = await courses_of(clinic, patient_id)
    return token, patient_id, course


async def cancel(clinic: Clinic, course: dict[str, Any], *sequences: int) -> None:
    for session in [s for s in course["sessions"] if s["sequence"] in sequences]:
        cancelled = await clinic.api("scheduling").post(
            f"/v1/sessions/{session['id']}/cancel", json={}, headers=bearer("receptionist")
        )
        assert cancelled.status_code == 200, cancelled.text


def rows_of(html: str, token: str) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "starts_at": re.findall(r'name="starts_at" type="datetime-local" value="([^"]+)"', html),
        "room_id": re.findall(
            r'name="room_id">\s*.*?<option value="([^"]+)"[^>]*selected', html, re.S
        ),
    }


async def test_the_missing_sessions_are_booked_into_the_same_course(clinic: Clinic) -> None:
    token, patient_id, course = await booked_course(clinic)
    await cancel(clinic, course, 3, 4)
    base = f"/patients/{patient_id}/courses/{course['id']}"

    partial = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    offered = await clinic.client.get(f"{base}/repair")
    form = rows_of(offered.text, token)
    booked = await clinic.client.post(f"{base}/repair", data=form)

    assert f'href="{base}/repair">Book the 2 missing sessions</a>' in partial
    assert len(form["starts_at"]) == 2
    assert "Book the 2 missing sessions</button>" in offered.text
    assert booked.status_code == 303, booked.text
    assert booked.headers["location"] == f"/patients/{patient_id}?booked=2"
    [repaired] = await courses_of(clinic, patient_id)  # no second course
    assert repaired["sessions_active"] == 10
    after = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    assert "10 of 10 sessions booked or done" in after
    assert "missing session" not in after
    nothing = (await clinic.client.get(f"{base}/repair")).text
    assert "No session is missing" in nothing


async def test_a_refused_date_is_shown_beside_its_row_and_nothing_is_booked(
    clinic: Clinic,
) -> None:
    token, patient_id, course = await booked_course(clinic)
    await cancel(clinic, course, 3)
    base = f"/patients/{patient_id}/courses/{course['id']}"
    form = rows_of((await clinic.client.get(f"{base}/repair")).text, token)

    refused = await clinic.client.post(f"{base}/repair", data=form | {"starts_at": "tomorrow"})

    assert refused.status_code == 422
    assert 'id="e-starts_at-1"' in refused.text
    [same] = await courses_of(clinic, patient_id)
    assert same["sessions_active"] == 9


async def test_a_broken_interval_is_accepted_in_one_click(clinic: Clinic) -> None:
    token, patient_id, course = await booked_course(clinic)
    await cancel(clinic, course, 3, 4)  # weekly sessions: two missing leave a gap too long
    base = f"/patients/{patient_id}/courses/{course['id']}"

    before = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    accepted = await clinic.client.post(f"{base}/accept-gaps", data={"csrf_token": token})

    assert "Accept the broken interval</button>" in before
    assert accepted.status_code == 303, accepted.text
    page = (await clinic.client.get(accepted.headers["location"])).text
    assert "The broken interval is accepted." in page
    after = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    assert "accepted by Rita Reception" in after  # the account's name, not its id
    assert "Accept the broken interval" not in after


async def test_a_course_is_abandoned_in_one_step(clinic: Clinic) -> None:
    token, patient_id, course = await booked_course(clinic)
    base = f"/patients/{patient_id}/courses/{course['id']}"

    before = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    abandoned = await clinic.client.post(
        f"{base}/abandon", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )

    assert "Its 10 upcoming sessions are cancelled" in before  # the confirmation's words
    assert abandoned.status_code == 204
    assert abandoned.headers["HX-Redirect"] == f"/patients/{patient_id}?done=abandon"
    [stopped] = await courses_of(clinic, patient_id)
    assert stopped["status"] == "abandoned"
    assert {s["status"] for s in stopped["sessions"]} == {"cancelled"}
    after = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    assert "Abandon the course" not in after
    assert "Reschedule" not in after
    again = await clinic.client.post(f"{base}/abandon", data={"csrf_token": token})
    assert again.status_code == 409  # the service's words on the page, never a 5xx
    assert re.search(r'role="alert">The course is already abandoned', again.text)


async def test_another_patients_course_is_not_found(clinic: Clinic) -> None:
    token, patient_id, course = await booked_course(clinic)
    other = await register(clinic, token, first_name="Ada", phone="+33 6 12 34 56 70")

    answers = [
        await clinic.client.post(
            f"/patients/{other}/courses/{course['id']}/abandon", data={"csrf_token": token}
        ),
        await clinic.client.get(f"/patients/{other}/courses/{course['id']}/repair"),
    ]

    assert [a.status_code for a in answers] == [404, 404]
    [untouched] = await courses_of(clinic, patient_id)
    assert untouched["status"] == "active"


async def test_each_upcoming_session_has_its_actions_for_the_role(clinic: Clinic) -> None:
    _, patient_id, course = await booked_course(clinic, Role.RECEPTIONIST)
    first = course["sessions"][0]["id"]

    desk = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    panel = await clinic.client.get(f"/agenda/sessions/{first}/reschedule")

    assert desk.count("Reschedule<span") == 10
    assert f'hx-get="/agenda/sessions/{first}/cancel"' in desk
    assert "No-show<span" not in desk  # a receptionist does not mark no-shows
    assert panel.status_code == 200
    assert 'data-close-panel="action-panel"' in panel.text
    assert "onclick" not in panel.text + desk
    await clinic.client.post("/signout", data={"csrf_token": re.findall(
        r'name="csrf_token" value="([^"]+)"', desk)[0]})  # fmt: skip
    await clinic.sign_in_as(Role.ADMIN)
    admin = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    assert "No-show<span" not in admin  # none has started: scheduling would refuse
    earliest = min(course["sessions"], key=lambda s: s["starts_at"])
    started = datetime.fromisoformat(earliest["starts_at"]) + timedelta(minutes=1)
    clinic.app.state.runtime.clock = lambda: started
    await clinic.sign_in_as(Role.ADMIN)  # on the dashboard's new day
    admin = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    assert admin.count("No-show<span") == 1
    assert f'hx-get="/agenda/sessions/{earliest["id"]}/no-show"' in admin


async def test_an_admin_extends_a_course_and_books_the_sessions_it_now_lacks(
    clinic: Clinic,
) -> None:
    token, patient_id, course = await booked_course(clinic, Role.ADMIN)
    base = f"/patients/{patient_id}/courses/{course['id']}"

    form = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    extended = await clinic.client.post(
        f"{base}/sessions", data={"csrf_token": token, "sessions_planned": "12"}
    )
    typo = await clinic.client.post(
        f"{base}/sessions", data={"csrf_token": token, "sessions_planned": "twelve"}
    )

    assert 'name="sessions_planned" type="number"' in form
    assert extended.status_code == 303, extended.text
    assert extended.headers["location"] == f"/patients/{patient_id}?done=sessions"
    [longer] = await courses_of(clinic, patient_id)
    assert longer["sessions_planned"] == 12
    after = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    assert "Book the 2 missing sessions" in after
    assert typo.status_code == 422
    assert "A number is needed." in typo.text


async def test_a_course_cannot_be_shortened_below_what_the_service_allows(clinic: Clinic) -> None:
    token, patient_id, course = await booked_course(clinic, Role.ADMIN)

    base = f"/patients/{patient_id}/courses/{course['id']}"

    shortened = await clinic.client.post(
        f"{base}/sessions", data={"csrf_token": token, "sessions_planned": "5"}
    )
    nothing = await clinic.client.post(
        f"{base}/sessions", data={"csrf_token": token, "sessions_planned": "0"}
    )

    assert (shortened.status_code, nothing.status_code) == (422, 422)
    assert re.search(
        r'role="alert">The number of sessions was not changed: [^<]*10 sessions already',
        shortened.text,
    )
    assert 'role="alert">The number of sessions was not changed: ' in nothing.text
    [same] = await courses_of(clinic, patient_id)
    assert same["sessions_planned"] == 10


async def test_a_receptionist_does_not_change_a_prescription(clinic: Clinic) -> None:
    token, patient_id, course = await booked_course(clinic)

    form = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    refused = await clinic.client.post(
        f"/patients/{patient_id}/courses/{course['id']}/sessions",
        data={"csrf_token": token, "sessions_planned": "12"},
    )

    assert 'name="sessions_planned"' not in form
    assert refused.status_code == 403
