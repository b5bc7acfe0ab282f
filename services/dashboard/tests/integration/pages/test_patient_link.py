"""A patient's page at /p/{token}: no sign-in, their course's upcoming sessions, and confirm,
move and cancel posted back to the dashboard, which calls scheduling as the link."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest

from clinic_shared.auth import Role
from clinic_shared.patient_links import mint_link
from clinic_shared.ratelimit import Limit

from .conftest import Clinic
from .test_booking import courses_of, plan_form, propose, register

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def _booked_course(clinic: Clinic) -> tuple[str, dict]:
    """Nora Quinn's course of ten sessions, booked at the desk; then the desk signs out."""
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    booked = await clinic.client.post(
        "/book/confirm", data=plan_form(await propose(clinic, token, patient_id), token)
    )
    assert booked.status_code == 303, booked.text
    [course] = await courses_of(clinic, patient_id)
    clinic.client.cookies.clear()  # the patient's phone has no staff session
    key = clinic.app.state.settings.patient_link_key.get_secret_value()
    return f"/p/{mint_link(key, uuid.UUID(course['id']))}", course


def _sessions(course: dict) -> list[dict]:
    return sorted(course["sessions"], key=lambda s: s["starts_at"])


async def test_the_page_shows_the_course_to_the_patient_without_sign_in(clinic: Clinic) -> None:
    page_path, _ = await _booked_course(clinic)

    page = await clinic.client.get(page_path)

    assert page.status_code == 200, page.text
    assert "Hello Nora" in page.text
    assert "Quinn" not in page.text
    assert "7911" not in page.text
    assert page.text.count('action="' + page_path + "/sessions/") >= 10
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script" not in page.text


async def test_confirm_then_move_to_an_offered_time(clinic: Clinic) -> None:
    page_path, course = await _booked_course(clinic)
    second = _sessions(course)[1]["id"]

    confirmed = await clinic.client.post(f"{page_path}/sessions/{second}/confirm")
    assert confirmed.status_code == 303, confirmed.text
    after = await clinic.client.get(confirmed.headers["location"])
    assert "your session is confirmed" in after.text

    offer = await clinic.client.get(page_path, params={"move": second})
    slots = re.findall(r'name="starts_at" value="([^"]+)"', offer.text)
    assert slots, offer.text
    moved = await clinic.client.post(
        f"{page_path}/sessions/{second}/move", data={"starts_at": slots[-1]}
    )
    assert moved.status_code == 303, moved.text
    [now] = [c for c in await courses_of(clinic, course["patient_id"])]
    [session] = [s for s in now["sessions"] if s["id"] == second]
    assert datetime.fromisoformat(session["starts_at"]) == datetime.fromisoformat(slots[-1])


async def test_a_late_cancel_is_refused_politely(clinic: Clinic) -> None:
    page_path, course = await _booked_course(clinic)
    first = _sessions(course)[0]
    start = datetime.fromisoformat(first["starts_at"])
    clinic.at("scheduling", start - timedelta(hours=3))

    page = await clinic.client.get(page_path)
    assert "Less than 24 hours to go" in page.text
    late = await clinic.client.post(f"{page_path}/sessions/{first['id']}/cancel")

    assert late.status_code == 409
    assert "please call the clinic" in late.text
    assert "Hello Nora" in late.text


async def test_a_late_cancel_is_refused_in_the_patients_french(clinic: Clinic) -> None:
    page_path, course = await _booked_course(clinic)
    first = _sessions(course)[0]
    clinic.at("scheduling", datetime.fromisoformat(first["starts_at"]) - timedelta(hours=3))

    late = await clinic.client.post(
        f"{page_path}/sessions/{first['id']}/cancel", headers={"Accept-Language": "fr"}
    )

    assert late.status_code == 409
    assert (
        "Cette séance commence dans moins de 24 heures : appelez la clinique pour la modifier."
        in late.text
    )
    assert "please call" not in late.text


@pytest.mark.parametrize("kind", ["forged", "expired"])
async def test_a_forged_or_expired_link_shows_a_clear_page(clinic: Clinic, kind: str) -> None:
    page_path, course = await _booked_course(clinic)
    if kind == "forged":
        page_path = f"/p/{mint_link('another-key-0123456789-abcdefghijklmnop', uuid.uuid4())}"
        wanted = "This link does not work"
    else:
        last = datetime.fromisoformat(_sessions(course)[-1]["starts_at"])
        clinic.at("scheduling", last + timedelta(minutes=1))
        wanted = "This link has expired"

    page = await clinic.client.get(page_path)

    assert page.status_code in (401, 410)
    assert page.headers["content-type"].startswith("text/html")
    assert wanted in page.text
    assert "Nora" not in page.text


async def test_links_are_rate_limited(clinic: Clinic) -> None:
    page_path, _ = await _booked_course(clinic)
    clinic.app.state.patient_links.rule = Limit(2, 60)
    answers = [await clinic.client.get(page_path) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "Nora" not in answers[-1].text


async def test_a_phone_in_french_gets_the_page_in_french(clinic: Clinic) -> None:
    page_path, _ = await _booked_course(clinic)

    page = await clinic.client.get(page_path, headers={"accept-language": "fr-FR,fr;q=0.9"})

    assert '<html lang="fr">' in page.text
    assert "Bonjour Nora" in page.text
    assert "Confirmer" in page.text
    assert "Choisir un autre horaire" in page.text
