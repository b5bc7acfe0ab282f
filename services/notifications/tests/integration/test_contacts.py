"""Notifications projects how to reach each patient from scheduling's events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import PatientRegistered, PatientUpdated
from clinic_testing.helpers import bearer, eventually, running
from notifications.adapters.orm import inbox
from notifications.bootstrap import build_app
from notifications.settings import NotificationsSettings

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def envelope(event: PatientRegistered, at: datetime) -> Envelope:
    return Envelope.wrap(event, producer="scheduling", correlation_id="c-1", occurred_at=at)


async def test_contact_follows_the_newest_patient_event_whatever_the_arrival_order(
    make_settings,
) -> None:
    app = build_app(await make_settings(NotificationsSettings))
    patient_id = uuid.uuid4()
    base = {"patient_id": patient_id, "first_name": "Amelia", "last_name": "Hart"}
    first = PatientRegistered(**base, phone="+447911123456", consent_sms=True)
    newer = PatientUpdated(
        **base, email="amelia@example.com", preferred_channel="email", consent_email=True
    )
    async with running(app) as client:
        bus = app.state.runtime.message_bus

        async def contact() -> dict:
            response = await client.get(f"/v1/contacts/{patient_id}", headers=bearer("admin"))
            return response.json() if response.status_code == 200 else {}

        await bus.publish(envelope(newer, T0 + timedelta(minutes=5)))
        await eventually(contact, until=lambda c: c.get("preferred_channel") == "email")
        await bus.publish(envelope(first, T0))  # late, older: must not win
        await bus.publish(
            envelope(
                PatientUpdated(**base, phone="+447911123457", consent_sms=True),
                T0 + timedelta(minutes=10),
            )
        )
        final = await eventually(contact, until=lambda c: c.get("phone") == "+447911123457")
        practitioner = await client.get(
            f"/v1/contacts/{patient_id}", headers=bearer("practitioner")
        )

    assert final["email"] is None
    assert final["preferred_channel"] == "sms"
    # consent is the ledger's: the desk's at registration (late or not), never an update's copy
    assert (final["consent_sms"], final["consent_email"]) == (True, False)
    assert practitioner.status_code == 403


async def test_older_event_arriving_last_does_not_overwrite_a_newer_contact(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings))
    patient_id = uuid.uuid4()
    base = {"patient_id": patient_id, "first_name": "Amelia", "last_name": "Hart"}
    async with running(app) as client:
        bus = app.state.runtime.message_bus
        new = PatientUpdated(**base, email="new@example.com", preferred_channel="email")
        old = PatientRegistered(**base, email="old@example.com", preferred_channel="email")
        await bus.publish(envelope(new, T0 + timedelta(hours=1)))
        await bus.publish(envelope(old, T0))

        async def handled() -> int:
            async with app.state.runtime.db.session() as session:
                return int(await session.scalar(select(func.count()).select_from(inbox)) or 0)

        await eventually(handled, until=lambda n: n == 2)
        response = await client.get(f"/v1/contacts/{patient_id}", headers=bearer("receptionist"))

    assert response.json()["email"] == "new@example.com"
