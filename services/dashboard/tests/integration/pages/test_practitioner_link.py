"""A practitioner's staff account is linked to a scheduling practitioner: their tokens name
them, so they see the patients they treat and no one else's (issue 28)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic_shared.auth import Role

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

DR_DUBOIS = "00000000-0000-4000-8000-0000000000a1"
SAM_PATEL = "00000000-0000-4000-8000-0000000000a2"
SAM = {"name": "Sam Patel", "email": "sam@clinic.example", "password": "sam-password-1"}


async def _create(clinic: Clinic, csrf: str, **form: str) -> str:
    body = SAM | {"role": "practitioner", "csrf_token": csrf} | form
    response = await clinic.client.post("/settings/staff", data=body)
    return response.text if response.status_code != 303 else ""


def _account_id(page: str, name: str) -> str:
    found = re.search(rf'id="account-([0-9a-f-]+)">\s*<td data-label="Name">{name}<', page)
    assert found, f"{name} is not listed"
    return found.group(1)


async def _agenda(clinic: Clinic) -> str:
    """The agenda of the week of tomorrow, when Amelia's first session falls."""
    tomorrow = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)
    answer = await clinic.client.get(
        "/agenda/sessions", params={"day": tomorrow.isoformat(), "week": "true"}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_the_demo_practitioner_is_linked_and_sees_her_own_patients(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.ADMIN)
    staff = (await clinic.client.get("/settings/staff")).text
    await clinic.sign_in_as(Role.PRACTITIONER)

    agenda = await _agenda(clinic)

    row = re.search(r'data-label="Name">Dr Claire Dubois<.*?</tr>', staff, re.S)
    assert row
    assert 'data-label="Practitioner">Dr Claire Dubois<' in row.group(0)
    assert "Amelia Hart" in agenda


async def test_an_account_linked_to_another_practitioner_does_not_see_her_patients(
    clinic: Clinic,
) -> None:
    csrf = await clinic.sign_in_as(Role.ADMIN)
    assert await _create(clinic, csrf, practitioner_id=SAM_PATEL) == ""
    clinic.client.cookies.clear()
    await clinic.sign_in(SAM["email"], SAM["password"])

    agenda = await _agenda(clinic)

    assert "Dr Claire Dubois" in agenda  # her sessions are there, by practitioner
    assert "Amelia Hart" not in agenda


async def test_one_account_per_practitioner_and_only_a_practitioners(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.ADMIN)

    second = await _create(clinic, csrf, practitioner_id=DR_DUBOIS)
    desk = await _create(clinic, csrf, role="receptionist", practitioner_id=SAM_PATEL)
    unknown = await _create(clinic, csrf, practitioner_id="00000000-0000-4000-8000-00000000dead")

    assert "Dr Claire Dubois&#39;s account is already linked" in second
    assert 'id="e-practitioner_id">Only a practitioner&#39;s account' in desk
    assert 'id="e-practitioner_id">Choose one of the practitioners' in unknown


async def test_the_admin_links_and_unlinks_an_account(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.ADMIN)
    assert await _create(clinic, csrf) == ""
    sam = _account_id((await clinic.client.get("/settings/staff")).text, "Sam Patel")
    unlinked = (await clinic.client.get("/settings/staff")).text

    linked = await clinic.client.post(
        f"/settings/staff/{sam}/practitioner",
        data={"practitioner_id": SAM_PATEL, "csrf_token": csrf},
    )
    after = (await clinic.client.get("/settings/staff")).text

    assert "Not linked: sees no patient" in unlinked
    assert linked.status_code == 303
    row = re.search(rf'id="account-{sam}">.*?</tr>', after, re.S)
    assert row
    assert 'data-label="Practitioner">Sam Patel<' in row.group(0)
