"""A French-speaking account reads its pages in French, over the real services: the course's
repair, the patient's timeline, the staff settings, the agenda's rows, the calendar's grid and
script words, and the words that explain a service's refusal."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from .conftest import Clinic
from .test_calendar import AMELIA, PARIS, ROOM_1, chloes_course, next_monday, week_of
from .test_patient_courses import booked_course, cancel

ROOM_2 = "00000000-0000-4000-8000-0000000000b2"

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def in_french(clinic: Clinic, csrf: str) -> None:
    """The signed-in account chooses French (the browser says nothing)."""
    chosen = await clinic.client.post(
        "/account/language", data={"language": "fr", "csrf_token": csrf}
    )
    assert chosen.status_code == 303, chosen.text


def english_left(html: str, *phrases: str) -> list[str]:
    return [phrase for phrase in phrases if phrase in html]


async def test_the_course_repair_page_is_in_french(clinic: Clinic) -> None:
    token, patient_id, course = await booked_course(clinic)
    await cancel(clinic, course, 3, 4)
    await in_french(clinic, token)
    base = f"/patients/{patient_id}/courses/{course['id']}"

    offered = (await clinic.client.get(f"{base}/repair")).text
    refused = await clinic.client.post(
        f"{base}/repair", data={"csrf_token": token, "starts_at": "demain", "room_id": ROOM_1}
    )

    assert "<h1>Réserver les séances manquantes</h1>" in offered
    assert "8 séances sur 10 réservées ou faites." in offered
    assert "Dates proposées" in offered
    assert "Réserver les 2 séances manquantes</button>" in offered
    assert english_left(offered, "missing session", "Proposed dates", "booked or done") == []
    assert refused.status_code == 422
    assert "Saisissez une date et une heure, par exemple 2026-12-01 10:00." in refused.text


async def test_the_patient_timeline_is_in_french(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.RECEPTIONIST)
    await in_french(clinic, csrf)

    page = (await clinic.client.get(f"/patients/{AMELIA}/timeline")).text

    assert 'séance 1 · <span class="status status-booked">réservée</span>' in page
    assert "Aucun message." in page or " par " in page
    assert english_left(page, "No message.", "Nothing yet.", " by SMS", " by email") == []


async def test_the_staff_settings_are_in_french_and_so_are_their_refusals(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.ADMIN)
    await in_french(clinic, csrf)

    page = (await clinic.client.get("/settings/staff")).text
    refused = await clinic.client.post(
        "/settings/staff",
        data={"csrf_token": csrf, "name": "Léa", "email": "x", "role": "receptionist"},
    )

    for french in ("Comptes de l'équipe", "Nouveau compte", "Réinitialiser le mot de passe"):
        assert french in page
    assert "Désactiver " in page
    assert "Créer le compte" in page
    assert english_left(page, "Reset password", "New account", "Deactivate ", "Create the") == []
    assert refused.status_code == 422
    assert "Saisissez une adresse e-mail comme nom@clinique.example." in refused.text


async def test_the_agenda_rows_and_the_calendar_grid_are_in_french(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.RECEPTIONIST)
    await in_french(clinic, csrf)
    auth = bearer(Role.ADMIN)
    sessions = await clinic.api("scheduling").get("/v1/sessions", params={"limit": 1}, headers=auth)
    [first] = sessions.json()
    day = datetime.fromisoformat(first["starts_at"]).astimezone(PARIS).date()

    rows = (await clinic.client.get("/agenda/sessions", params={"day": day.isoformat()})).text
    grid = (await clinic.client.get("/calendar/api/events", params=week_of(day))).json()
    page = (await clinic.client.get("/calendar", params={"day": day.isoformat()})).text

    assert ">Réservée</span>" in rows
    assert ">Booked<" not in rows
    titles = [e["title"] for e in grid["events"] if e.get("id") == first["id"]]
    assert titles, "the session is on the grid"
    assert titles[0].endswith(" · Réservée"), titles
    reasons = {e["extendedProps"]["reason"] for e in grid["events"] if "title" not in e}
    assert "Libre" in reasons
    assert "Free" not in reasons
    assert 'data-say-put-back="La séance a été remise à sa place."' in page
    assert "data-say-course-first=\"Choisissez d'abord la cure d'un patient" in page


async def book_two(clinic: Clinic, course_id: str, wednesday: date) -> list[dict[str, Any]]:
    """Sessions 1 and 2 of the course at 10:00, on `wednesday` and the next, in Room 2: the
    demo's only 10:00 sessions are Amelia's, weekly from the seed's tomorrow in Room 1, so on a
    Tuesday they fell on these Wednesdays in Room 1 and the booking was refused."""
    sessions = [
        {"starts_at": datetime.combine(d, time(10), PARIS).isoformat(), "room_id": ROOM_2}
        for d in (wednesday, wednesday + timedelta(days=7))
    ]
    booked = await clinic.api("scheduling").post(
        f"/v1/courses/{course_id}/book-plan",
        json={"sessions": sessions},
        headers=bearer(Role.RECEPTIONIST),
    )
    assert booked.status_code == 201, booked.text
    return list(booked.json())


async def test_the_calendar_explains_refusals_in_french(clinic: Clinic) -> None:
    course_id = await chloes_course(clinic)
    csrf = await clinic.sign_in_as(Role.RECEPTIONIST)
    await in_french(clinic, csrf)
    monday = next_monday()
    span = {"start": monday.isoformat(), "end": (monday + timedelta(days=7)).isoformat()}

    days = await clinic.client.get(f"/calendar/api/courses/{course_id}/days", params=span)
    _first, second = await book_two(clinic, course_id, monday + timedelta(days=2))
    too_soon = await clinic.client.post(  # two days after the first: a week at least is needed
        f"/calendar/api/sessions/{second['id']}/move",
        json={"starts_at": f"{monday + timedelta(days=4)}T10:00"},
        headers={"X-CSRF-Token": csrf},
    )
    past = await clinic.client.post(
        "/calendar/api/book",
        json={"course_id": course_id, "starts_at": "2020-01-06T10:00", "room_id": ROOM_1},
        headers={"X-CSRF-Token": csrf},
    )

    refusals = {d["day"]: d["refusal"] for d in days.json()["days"]}
    saturday = (monday + timedelta(days=5)).isoformat()
    assert refusals[saturday] == "Sam Patel ne travaille pas le samedi."
    assert too_soon.status_code == 422, too_soon.text
    assert too_soon.json()["detail"].startswith("Choisissez un jour entre ")
    assert "gardent leur intervalle" in too_soon.json()["detail"]
    assert past.json()["detail"] == "Cette heure est passée. Choisissez-en une plus tardive."
