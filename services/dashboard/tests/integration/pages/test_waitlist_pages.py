"""The waitlist in the dashboard: a freed time offered on the patient's page, taken by the
first to accept, expired after its time; the desk's waitlist page and its join button."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from clinic_shared.auth import Role
from clinic_shared.patient_links import mint_offer_link
from clinic_testing.helpers import bearer

from .conftest import Clinic
from .test_patient_link import _booked_course, _sessions

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]
DESK = bearer("receptionist")


async def _waiting(clinic: Clinic, first_name: str, practitioner_id: str) -> str:
    """A new patient's course with the practitioner, put on the waitlist at the desk."""
    scheduling = clinic.api("scheduling")
    patient = await scheduling.post(
        "/v1/patients",
        json={
            "first_name": first_name,
            "last_name": "Waits",
            "email": f"{first_name.lower()}@example.com",
            "preferred_channel": "email",
        },
        headers=DESK,
    )
    assert patient.status_code == 201, patient.text
    course = await scheduling.post(
        "/v1/courses",
        json={
            "patient_id": patient.json()["id"],
            "treatment_code": "cellulite-arms",  # 15 min: fits in the freed 25
            "practitioner_id": practitioner_id,
        },
        headers=DESK,
    )
    assert course.status_code == 201, course.text
    joined = await scheduling.post(
        "/v1/waitlist", json={"course_id": course.json()["id"]}, headers=DESK
    )
    assert joined.status_code == 201, joined.text
    return str(course.json()["id"])


async def _offers_after_a_cancel(
    clinic: Clinic, names: list[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Nora's first session cancelled at the desk: its time offered to each waiting course."""
    _, course = await _booked_course(clinic)
    waiting = [await _waiting(clinic, name, course["practitioner_id"]) for name in names]
    first = _sessions(course)[0]["id"]
    scheduling = clinic.api("scheduling")
    cancelled = await scheduling.post(f"/v1/sessions/{first}/cancel", json={}, headers=DESK)
    assert cancelled.status_code == 200, cancelled.text
    listed = await scheduling.get("/v1/waitlist", headers=DESK)
    by_course = {w["course_id"]: w["offers"] for w in listed.json()}
    return course, [by_course[c][0] for c in waiting]


def _page_of(clinic: Clinic, offer: dict[str, Any]) -> str:
    key = clinic.app.state.settings.patient_link_key.get_secret_value()
    return f"/p/{mint_offer_link(key, uuid.UUID(offer['id']))}"


async def test_the_first_to_take_the_offered_time_gets_it_the_other_is_told(
    clinic: Clinic,
) -> None:
    _, (first, second) = await _offers_after_a_cancel(clinic, ["Iris", "Jade"])

    page = await clinic.client.get(_page_of(clinic, first))
    assert page.status_code == 200, page.text
    assert "Hello Iris" in page.text
    assert "Waits" not in page.text
    assert "<script" not in page.text
    taken = await clinic.client.post(f"{_page_of(clinic, first)}/accept")
    assert taken.status_code == 303, taken.text
    after = await clinic.client.get(taken.headers["location"])
    assert "the time is yours" in after.text
    late = await clinic.client.post(f"{_page_of(clinic, second)}/accept")

    assert late.status_code == 409, late.text
    assert "Another patient took this time first" in late.text
    assert "You keep your place on the waitlist" in late.text


async def test_an_expired_offer_shows_its_page(clinic: Clinic) -> None:
    _, [offer] = await _offers_after_a_cancel(clinic, ["Kate"])
    expires = datetime.fromisoformat(offer["expires_at"].replace("Z", "+00:00"))
    clinic.at("scheduling", expires + timedelta(minutes=1))

    page = await clinic.client.get(_page_of(clinic, offer))

    assert page.status_code == 410
    assert "This offer has expired" in page.text
    assert "Kate" not in page.text


async def test_a_forged_offer_link_does_not_work(clinic: Clinic) -> None:
    forged = mint_offer_link("another-key-0123456789-abcdefghijklmnop", uuid.uuid4())
    for answer in (
        await clinic.client.get(f"/p/{forged}"),
        await clinic.client.post(f"/p/{forged}/accept"),
    ):
        assert answer.status_code == 401
        assert "This link does not work" in answer.text


async def test_a_patient_joins_the_waitlist_from_their_page(clinic: Clinic) -> None:
    page_path, course = await _booked_course(clinic)
    last = _sessions(course)[-1]["id"]
    scheduling = clinic.api("scheduling")
    await scheduling.post(f"/v1/sessions/{last}/cancel", json={}, headers=DESK)
    page = await clinic.client.get(page_path)
    assert f'action="{page_path}/waitlist"' in page.text

    joined = await clinic.client.post(f"{page_path}/waitlist")

    assert joined.status_code == 303, joined.text
    after = await clinic.client.get(joined.headers["location"])
    assert "Done: you are on the waitlist" in after.text
    assert f'action="{page_path}/waitlist"' not in after.text
    listed = await clinic.api("scheduling").get("/v1/waitlist", headers=DESK)
    assert [w["course_id"] for w in listed.json()] == [course["id"]]


async def test_the_desk_sees_the_waitlist_and_joins_a_course_to_it(clinic: Clinic) -> None:
    nora, _ = await _offers_after_a_cancel(clinic, ["Lena"])
    token = await clinic.sign_in_as(Role.RECEPTIONIST)

    page = await clinic.client.get("/waitlist")

    assert page.status_code == 200, page.text
    assert "Lena Waits" in page.text
    assert "offered" in page.text
    patient_id, course_id = nora["patient_id"], nora["id"]
    joined = await clinic.client.post(
        f"/patients/{patient_id}/courses/{course_id}/waitlist", data={"csrf_token": token}
    )
    assert joined.status_code == 303, joined.text
    assert "done=waitlist" in joined.headers["location"]
    again = await clinic.client.get("/waitlist")
    assert len(re.findall(r'<a href="/patients/', again.text)) == 2
