"""Consent has one owner, notifications' ledger; scheduling shows it as it is there."""

from __future__ import annotations

from typing import Any

import pytest

from clinic_testing.helpers import bearer, eventually
from notifications.domain.signature import twilio_signature

from .conftest import Stack

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]
TOKEN = "twilio-system-token"
DESK = bearer("receptionist")
PHONE = "+447911123456"
PREFERENCES = ("preferred_channel", "language", "consent_sms", "consent_email")
PATIENT = {
    "first_name": "Amelia",
    "last_name": "Hart",
    "phone": "+44 7911 123456",
    "email": "amelia.hart@example.com",
    "preferred_channel": "sms",
    "consent_sms": True,
    "consent_email": True,
}


@pytest.fixture
def overrides() -> dict[str, dict[str, Any]]:
    return {"notifications": {"sms_auth_token": TOKEN}}


async def register(stack: Stack, **changes: Any) -> str:
    created = await stack.clients["scheduling"].post(
        "/v1/patients", json=PATIENT | changes, headers=DESK
    )
    assert created.status_code == 201, created.text
    patient_id: str = created.json()["id"]
    await eventually(lambda: preferences(stack, patient_id), until=bool, timeout=15)
    return patient_id


async def preferences(stack: Stack, patient_id: str) -> dict[str, Any]:
    """The patient's preferences in notifications ({} until it has heard of them)."""
    response = await stack.clients["notifications"].get(
        f"/v1/patients/{patient_id}/preferences", headers=DESK
    )
    return dict(response.json()) if response.status_code == 200 else {}


async def in_scheduling(stack: Stack, patient_id: str) -> dict[str, Any]:
    response = await stack.clients["scheduling"].get(f"/v1/patients/{patient_id}", headers=DESK)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def change_consent(stack: Stack, patient_id: str, **consent: bool) -> Any:
    """What the dashboard's patient edit does with the consent boxes."""
    current = await preferences(stack, patient_id)
    body = {k: current[k] for k in PREFERENCES}
    return await stack.clients["notifications"].put(
        f"/v1/patients/{patient_id}/preferences", json=body | consent, headers=DESK
    )


async def reply(stack: Stack, body: str, sid: str) -> None:
    path = "/v1/webhooks/sms/inbound"
    form = {"MessageSid": sid, "From": PHONE, "To": "+447700900000", "Body": body}
    signature = twilio_signature(TOKEN, f"http://testserver{path}", form)
    answer = await stack.clients["notifications"].post(
        path, data=form, headers={"X-Twilio-Signature": signature}
    )
    assert answer.status_code == 200, answer.text


def consent(found: dict[str, Any]) -> tuple[bool, bool]:
    return found.get("consent_sms"), found.get("consent_email")  # type: ignore[return-value]


async def test_an_edit_of_name_or_address_never_brings_back_a_withdrawn_consent(
    stack: Stack,
) -> None:
    patient_id = await register(stack)
    withdrawn = await change_consent(stack, patient_id, consent_email=False)
    assert withdrawn.status_code == 200, withdrawn.text

    edited = await stack.clients["scheduling"].patch(
        f"/v1/patients/{patient_id}",
        json={"first_name": "Amélie", "email": "amelie.hart@example.com"},
        headers=DESK,
    )
    assert edited.status_code == 200, edited.text
    contact = await eventually(
        lambda: stack.clients["notifications"].get(f"/v1/contacts/{patient_id}", headers=DESK),
        until=lambda r: r.json()["first_name"] == "Amélie",
        timeout=15,
    )
    assert contact.json()["email"] == "amelie.hart@example.com"
    assert consent(await preferences(stack, patient_id)) == (True, False)
    shown = await eventually(
        lambda: in_scheduling(stack, patient_id), until=lambda p: not p["consent_email"]
    )
    assert consent(shown) == (True, False)


async def test_scheduling_takes_no_consent_in_a_patient_edit(stack: Stack) -> None:
    patient_id = await register(stack, consent_email=False)

    refused = await stack.clients["scheduling"].patch(
        f"/v1/patients/{patient_id}", json={"consent_email": True}, headers=DESK
    )

    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body.consent_email"]
    assert "preferences" in refused.json()["errors"][0]["reason"]
    assert consent(await in_scheduling(stack, patient_id)) == (True, False)


async def test_a_stop_from_a_shared_number_withdraws_sms_for_everyone_until_start(
    stack: Stack,
) -> None:
    mother = await register(stack)
    daughter = await register(stack, first_name="Lily", email="lily@example.com")
    never = await register(
        stack, first_name="Rose", email="rose@example.com", consent_sms=False, consent_email=False
    )

    await reply(stack, "STOP", "SM" + "5" * 32)
    for patient_id in (mother, daughter):
        assert consent(await preferences(stack, patient_id)) == (False, True)
        await eventually(
            lambda p=patient_id: in_scheduling(stack, p), until=lambda p: not p["consent_sms"]
        )
    refused = await change_consent(stack, daughter, consent_sms=True)
    await reply(stack, "START", "SM" + "6" * 32)

    assert refused.status_code == 409
    assert "replied STOP" in refused.json()["detail"]
    assert "START" in refused.json()["detail"]
    for patient_id in (mother, daughter):
        assert consent(await preferences(stack, patient_id)) == (True, True)
        await eventually(
            lambda p=patient_id: in_scheduling(stack, p), until=lambda p: p["consent_sms"]
        )
    assert consent(await preferences(stack, never)) == (False, False)  # START gives back only
    history = (await preferences(stack, daughter))["consent_history"]
    assert [(e["channel"], e["action"], e["source"]) for e in history] == [
        ("sms", "opt_in", "staff"),
        ("email", "opt_in", "staff"),
        ("sms", "opt_out", "sms_reply"),
        ("sms", "opt_in", "sms_reply"),
    ]
