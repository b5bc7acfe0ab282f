"""Issue 18 items 5 and 6: a name of spaces and a language the clinic does not write in are
refused naming the field, and nothing is registered."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from clinic_testing.helpers import bearer, running
from scheduling.bootstrap import build_app
from scheduling.settings import SchedulingSettings

DESK = bearer("receptionist")
CHLOE = {
    "first_name": "Chloé",
    "last_name": "Martin",
    "email": "chloe.martin@example.com",
    "preferred_channel": "email",
}


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"first_name": "   "}, "body.first_name", "at least 1 character"),
        ({"last_name": "\t \u00a0"}, "body.last_name", "at least 1 character"),
        ({"language": "de"}, "body.language", "en, fr"),
        ({"language": "klingon"}, "body.language", "en, fr"),
    ],
)
async def test_a_registration_with_a_blank_name_or_an_unwritten_language_is_refused(
    make_settings, change: dict[str, str], field: str, reason: str
) -> None:
    async with running(build_app(await make_settings(SchedulingSettings))) as client:
        refused = await client.post("/v1/patients", json=CHLOE | change, headers=DESK)
        listed = await client.get("/v1/patients", headers=DESK)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == field
    assert reason in error["reason"]
    assert listed.json() == []


async def test_a_language_is_taken_in_any_case_and_an_edit_is_held_to_it_too(make_settings) -> None:
    async with running(build_app(await make_settings(SchedulingSettings))) as client:
        created = await client.post("/v1/patients", json=CHLOE | {"language": "FR"}, headers=DESK)
        assert created.status_code == 201, created.text
        assert created.json()["language"] == "fr"
        path = f"/v1/patients/{created.json()['id']}"
        refused = await client.patch(path, json={"language": "es"}, headers=DESK)
        kept = await client.get(path, headers=DESK)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.language"
    assert kept.json()["language"] == "fr"


async def test_a_retried_registration_returns_the_patient_and_other_details_are_a_409(
    make_settings,
) -> None:
    """Issue 18 item 2: retrying with the same id and body is safe; reusing the id for other
    details answers 409 naming them, and the registered patient keeps theirs."""
    body = CHLOE | {"id": str(uuid.uuid4())}
    async with running(build_app(await make_settings(SchedulingSettings))) as client:
        first = await client.post("/v1/patients", json=body, headers=DESK)
        retried = await client.post("/v1/patients", json=body, headers=DESK)
        other = await client.post(
            "/v1/patients",
            json=body | {"first_name": "Zoé", "email": "zoe@example.com"},
            headers=DESK,
        )
        stored = await client.get(f"/v1/patients/{body['id']}", headers=DESK)
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json()
    assert other.status_code == 409, other.text
    assert other.json()["patient_id"] == body["id"]
    assert {e["field"] for e in other.json()["errors"]} == {"body.first_name", "body.email"}
    assert stored.json() == first.json() | {"audit": stored.json()["audit"]}


async def test_a_second_registration_of_the_same_person_is_a_409_naming_them(
    make_settings,
) -> None:
    """Issue 18 item 1: the same email, or the same phone and name, is the same person unless
    staff say otherwise; a shared phone alone is a family, not a duplicate."""
    family = {"phone": "+33 6 12 34 56 78", "preferred_channel": "sms"}
    async with running(build_app(await make_settings(SchedulingSettings))) as client:
        chloe = (await client.post("/v1/patients", json=CHLOE | family, headers=DESK)).json()
        same_email = await client.post(
            "/v1/patients", json=CHLOE | {"first_name": "Chloe"}, headers=DESK
        )
        same_phone_and_name = await client.post(
            "/v1/patients",
            json=CHLOE | family | {"email": None, "first_name": "CHLOÉ"},
            headers=DESK,
        )
        sister = await client.post(
            "/v1/patients",
            json=CHLOE | family | {"email": None, "first_name": "Léa"},
            headers=DESK,
        )
        anyway = await client.post(
            "/v1/patients", json=CHLOE | {"allow_duplicate": True}, headers=DESK
        )
    assert same_email.status_code == 409, same_email.text
    assert same_email.json()["patient_id"] == chloe["id"]
    assert "Chloé Martin" in same_email.json()["detail"]
    assert same_email.json()["errors"][0]["field"] == "body.email"
    assert same_phone_and_name.status_code == 409
    assert same_phone_and_name.json()["errors"][0]["field"] == "body.phone"
    assert sister.status_code == 201, sister.text
    assert sister.json()["duplicate_of"] is None
    assert anyway.status_code == 201
    assert anyway.json()["duplicate_of"] == chloe["id"]


async def test_the_same_person_registered_twice_at_once_is_registered_once(make_settings) -> None:
    app = build_app(await make_settings(SchedulingSettings))
    async with running(app) as client:
        answers = await asyncio.gather(
            *(client.post("/v1/patients", json=CHLOE, headers=DESK) for _ in range(6))
        )
        listed = await client.get("/v1/patients", headers=DESK)
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5
    assert len(listed.json()) == 1
