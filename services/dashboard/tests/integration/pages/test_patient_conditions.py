"""Allergies and contraindications, edited with the patient's details, kept by scheduling."""

from __future__ import annotations

import re

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from .conftest import Clinic
from .test_booking import register

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

DETAILS = {"first_name": "Nora", "last_name": "Quinn", "phone": "+44 7911 123456", "email": "",
           "language": "en", "preferred_channel": "sms", "consent_sms": "on"}  # fmt: skip


async def test_allergies_and_contraindications_are_saved_and_shown(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    edit = f"/patients/{patient_id}/edit"

    form = (await clinic.client.get(edit)).text
    saved = await clinic.client.post(
        edit,
        data=DETAILS
        | {"csrf_token": token, "allergies": "Lidocaine\n\n caffeine "}
        | {"contraindications": "Pregnancy"},
    )

    assert '<label for="f-allergies">Allergies (one a line)</label>' in form
    assert saved.status_code == 303, saved.text
    recorded = await clinic.api("scheduling").get(
        f"/v1/patients/{patient_id}/conditions", headers=bearer("receptionist")
    )
    assert recorded.json()["allergies"] == ["caffeine", "lidocaine"]
    assert recorded.json()["contraindications"] == ["pregnancy"]
    page = (await clinic.client.get(f"/patients/{patient_id}/partial")).text
    assert "<dt>Allergies</dt><dd>caffeine, lidocaine</dd>" in page
    assert "<dt>Contraindications</dt><dd>pregnancy</dd>" in page
    again = (await clinic.client.get(edit)).text
    assert re.search(r'name="allergies"[^>]*>caffeine\nlidocaine</textarea>', again)


async def test_unchanged_conditions_are_not_recorded_again(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)

    saved = await clinic.client.post(
        f"/patients/{patient_id}/edit",
        data=DETAILS | {"csrf_token": token, "allergies": "", "contraindications": ""},
    )

    assert saved.status_code == 303, saved.text
    recorded = await clinic.api("scheduling").get(
        f"/v1/patients/{patient_id}/conditions", headers=bearer("receptionist")
    )
    assert recorded.json()["recorded_by"] is None


async def test_a_refused_entry_is_named_beside_its_box(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)

    refused = await clinic.client.post(
        f"/patients/{patient_id}/edit",
        data=DETAILS | {"csrf_token": token, "allergies": "x" * 51, "contraindications": ""},
    )

    assert refused.status_code == 422
    assert 'id="e-allergies"' in refused.text
    assert "the allergies and contraindications were not" in refused.text
    assert "x" * 51 in refused.text  # what was typed is kept


async def test_the_patients_page_shows_who_changed_the_record(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.RECEPTIONIST)
    patient_id = await register(clinic, token)
    saved = await clinic.client.post(
        f"/patients/{patient_id}/edit",
        data=DETAILS | {"csrf_token": token, "first_name": "Norah"},
    )
    assert saved.status_code == 303, saved.text

    page = (await clinic.client.get(f"/patients/{patient_id}")).text

    assert '<h2 id="audit-h">Changes to the record</h2>' in page
    trail = page[page.index('id="audit-h"') :]
    assert re.search(r"Rita Reception <span class=\"muted\">\(receptionist\)</span>", trail)
    assert "Updated: first name" in trail
    assert trail.index("Updated") < trail.index("Registered")  # newest first
