"""A patient registered at the desk reaches inventory and notifications over RabbitMQ, once."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

from clinic_shared.logging import JsonFormatter
from clinic_testing.helpers import bearer, eventually
from inventory.adapters.orm import inbox as inventory_inbox
from notifications.adapters.orm import inbox as notifications_inbox

from .conftest import Stack

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]

PATIENT = {
    "first_name": "Amelia",
    "last_name": "Hart",
    "phone": "+44 7911 123456",
    "email": "amelia.hart@example.com",
    "preferred_channel": "sms",
    "consent_sms": True,
    "consent_email": True,
}


async def _count(stack: Stack, service: str, table: sa.Table) -> int:
    async with stack.apps[service].state.runtime.db.session() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


async def test_registered_patient_reaches_inventory_and_notifications_once(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    created = await stack.clients["scheduling"].post(
        "/v1/patients",
        json=PATIENT,
        headers=bearer("receptionist") | {"X-Correlation-ID": "front-desk-7"},
    )
    assert created.status_code == 201, created.text
    patient_id = created.json()["id"]

    async def contact() -> dict:
        response = await stack.clients["notifications"].get(
            f"/v1/contacts/{patient_id}", headers=bearer("receptionist")
        )
        return response.json() if response.status_code == 200 else {}

    async def traced() -> int:
        response = await stack.clients["inventory"].get(
            f"/v1/patient-refs/{patient_id}", headers=bearer("stock_manager")
        )
        return response.status_code

    projected = await eventually(contact, until=lambda c: bool(c), timeout=15)
    await eventually(traced, until=lambda status: status == 200, timeout=15)
    await eventually(
        lambda: _count(stack, "scheduling", stack.apps["scheduling"].state.runtime.outbox),
        until=lambda n: n == 1,
    )

    assert projected["phone"] == "+447911123456"
    assert projected["consent_sms"] is True
    assert await _count(stack, "inventory", inventory_inbox) == 1
    assert await _count(stack, "notifications", notifications_inbox) == 1

    handled = [r for r in caplog.records if r.getMessage() == "event handled"]
    assert {r.consumer for r in handled} == {"inventory", "notifications"}
    formatter = JsonFormatter()
    lines = [json.loads(formatter.format(r)) for r in handled]
    assert {line["correlation_id"] for line in lines} == {"front-desk-7"}


async def test_no_log_line_carries_a_phone_number_or_email(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = await stack.clients["scheduling"].post(
        "/v1/patients", json=PATIENT, headers=bearer("receptionist")
    )
    patient_id = created.json()["id"]

    async def contact() -> int:
        response = await stack.clients["notifications"].get(
            f"/v1/contacts/{patient_id}", headers=bearer("receptionist")
        )
        return response.status_code

    await eventually(contact, until=lambda status: status == 200, timeout=15)
    formatter = JsonFormatter()
    output = "\n".join(formatter.format(r) for r in caplog.records)
    assert output, "the flow logged nothing at all"
    for secret in ("7911123456", "7911 123456", "amelia.hart@example.com"):
        assert secret not in output
