"""The patients list over real scheduling: paged, sorted by its headers, searched as typed."""

from __future__ import annotations

import re

import pytest

from clinic_shared.auth import Role
from dashboard.pages import patients

from .conftest import Clinic
from .test_booking import register

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


def names(html: str) -> list[str]:
    return re.findall(r'<a href="/patients/[0-9a-f-]{36}">([^<]+)</a>', html)


async def test_the_search_field_says_what_it_finds(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)

    page = (await clinic.client.get("/patients")).text

    assert '<label for="f-q">Name, or whole phone number or email</label>' in page
    assert names(page) == ["Amelia Hart", "Chloé Martin"]


async def test_a_name_is_found_as_typed_ignoring_accents_and_case(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)

    typed = [
        names((await clinic.client.get("/patients/found", params={"q": q})).text)
        for q in ("chlo", "CHLOE", "hloé mar")
    ]

    assert typed == [["Chloé Martin"]] * 3


async def test_a_phone_or_email_is_found_only_whole(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)

    async def found(q: str) -> list[str]:
        return names((await clinic.client.get("/patients/found", params={"q": q})).text)

    assert await found("+44 7911 123456") == ["Amelia Hart"]
    assert await found("AMELIA.HART@example.com") == ["Amelia Hart"]
    assert await found("7911 123") == []
    assert "No patient matches" in (await clinic.client.get(
        "/patients/found", params={"q": "7911 123"})).text  # fmt: skip


async def test_the_list_pages_and_sorts_by_its_headers(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    await register(clinic, token, first_name="Zack", last_name="Young", phone="+44 7911 000111")
    monkeypatch.setattr(patients, "PAGE_SIZE", 2)

    first = (await clinic.client.get("/patients")).text
    second = (await clinic.client.get("/patients/found", params={"page": 2})).text
    reversed_ = (await clinic.client.get("/patients/found", params={"sort": "-name"})).text

    assert names(first) == ["Amelia Hart", "Chloé Martin"]
    assert 'aria-sort="ascending"' in first
    assert 'href="/patients?q=&amp;sort=-name&amp;page=1"' in first  # the header reverses
    assert ('rel="next"' in first, 'rel="prev"' in first) == (True, False)
    assert names(second) == ["Zack Young"]
    assert ('rel="next"' in second, 'rel="prev"' in second) == (False, True)
    assert names(reversed_) == ["Zack Young", "Chloé Martin"]
    assert 'aria-sort="descending"' in reversed_


async def test_an_unknown_sort_or_page_is_a_422_page_not_a_5xx(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)

    sort = await clinic.client.get("/patients/found", params={"sort": "phone"})
    page = await clinic.client.get("/patients", params={"page": "0"})

    assert (sort.status_code, page.status_code) == (422, 422)
    assert "address is not valid" in page.text


async def test_a_french_browser_gets_the_list_and_the_patient_page_in_french(
    clinic: Clinic,
) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)
    french = {"accept-language": "fr-FR,fr;q=0.9"}

    listed = (await clinic.client.get("/patients", headers=french)).text
    assert "Nom, ou numéro de téléphone ou e-mail complet" in listed
    assert names(listed) == ["Amelia Hart", "Chloé Martin"]

    amelia = re.search(r'<a href="(/patients/[0-9a-f-]{36})">Amelia Hart</a>', listed)
    assert amelia
    page = (await clinic.client.get(amelia.group(1), headers=french)).text
    details = (await clinic.client.get(amelia.group(1) + "/partial", headers=french)).text
    assert "Réserver une cure pour ce patient" in page
    assert "Coordonnées, allergies et consentement" in details
    assert "Cures" in details
