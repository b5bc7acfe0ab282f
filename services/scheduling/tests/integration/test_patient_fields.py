"""Issue 18 items 5 and 6: a name of spaces and a language the clinic does not write in are
refused naming the field, and nothing is registered."""

from __future__ import annotations

import pytest

from clinic_shared.testing.helpers import bearer, running
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
