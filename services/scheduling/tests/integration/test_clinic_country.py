"""The clinic's country (`CLINIC_COUNTRY`) reads phone numbers; search finds patients by a part
of their name ignoring accents and case, and exactly by phone (any format) or email."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from clinic_testing.helpers import bearer, running
from scheduling.bootstrap import build_app
from scheduling.settings import SchedulingSettings

DESK = bearer("receptionist")
CHLOE = {
    "first_name": "Chloé",
    "last_name": "Martin-Lefèvre",
    "phone": "06 12 34 56 78",
    "email": "Chloe.Martin@Example.com",
    "preferred_channel": "sms",
    "consent_sms": True,
}
LAETITIA = {
    "first_name": "Lætitia",
    "last_name": "Dupont",
    "email": "laetitia@example.com",
    "preferred_channel": "email",
}


async def test_a_national_number_is_read_as_the_clinics_country_by_default(make_settings) -> None:
    app = build_app(await make_settings(SchedulingSettings))
    async with running(app) as client:
        french = await client.post("/v1/patients", json=CHLOE, headers=DESK)
        british = await client.post(
            "/v1/patients",
            json=LAETITIA | {"phone": "07911 123456", "preferred_channel": "sms"},
            headers=DESK,
        )
    assert french.status_code == 201, french.text
    assert french.json()["phone"] == "+33612345678"
    assert british.status_code == 422
    assert british.headers["content-type"] == "application/problem+json"
    assert british.json()["country"] == "FR"
    assert british.json()["errors"] == [
        {"field": "body.phone", "reason": "not a valid phone number in FR"}
    ]


async def test_another_country_reads_its_own_national_numbers(make_settings) -> None:
    app = build_app(await make_settings(SchedulingSettings, country="GB"))
    async with running(app) as client:
        british = await client.post(
            "/v1/patients", json=CHLOE | {"phone": "07911 123456"}, headers=DESK
        )
        french = await client.post(
            "/v1/patients", json=LAETITIA | {"phone": "06 12 34 56 78"}, headers=DESK
        )
    assert british.status_code == 201, british.text
    assert british.json()["phone"] == "+447911123456"
    assert french.status_code == 422
    assert "in GB" in french.json()["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "chloe",
        "CHLOÉ",
        "hloe mart",
        "lefevre",
        "chloe martin-lefevre",
        "06 12 34 56 78",
        "0612345678",
        "+33 6 12 34 56 78",
        "+33612345678",
        "chloe.martin@example.com",
        " CHLOE.MARTIN@EXAMPLE.COM ",
    ],
)
async def test_search_finds_a_patient_by_name_as_typed_or_by_phone_or_email(
    make_settings, query: str
) -> None:
    app = build_app(await make_settings(SchedulingSettings))
    async with running(app) as client:
        chloe = await client.post("/v1/patients", json=CHLOE, headers=DESK)
        await client.post("/v1/patients", json=LAETITIA, headers=DESK)
        found = await client.get("/v1/patients", params={"q": query}, headers=DESK)
    assert found.status_code == 200, found.text
    assert [p["id"] for p in found.json()] == [chloe.json()["id"]]


@pytest.mark.parametrize("query", ["0612", "12 34 56 78", "chloe.martin@", "example.com", "zoe"])
async def test_search_matches_contacts_only_whole(make_settings, query: str) -> None:
    """Phone numbers and emails are sealed: only a whole one, normalised, is found."""
    app = build_app(await make_settings(SchedulingSettings))
    async with running(app) as client:
        await client.post("/v1/patients", json=CHLOE, headers=DESK)
        found = await client.get("/v1/patients", params={"q": query}, headers=DESK)
    assert found.status_code == 200
    assert found.json() == []


async def test_a_ligature_is_searched_as_its_letters(make_settings) -> None:
    app = build_app(await make_settings(SchedulingSettings))
    async with running(app) as client:
        laetitia = await client.post("/v1/patients", json=LAETITIA, headers=DESK)
        found = await client.get("/v1/patients", params={"q": "laetitia"}, headers=DESK)
    assert [p["id"] for p in found.json()] == [laetitia.json()["id"]]


def test_the_country_is_an_upper_case_code_phone_numbers_know(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLINIC_COUNTRY", "BE")
    assert SchedulingSettings().country == "BE"
    for wrong in ("fr", "FRA", "ZZ"):
        monkeypatch.setenv("CLINIC_COUNTRY", wrong)
        with pytest.raises(ValidationError, match=r"CLINIC_COUNTRY|country"):
            SchedulingSettings()
