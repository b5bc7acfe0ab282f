"""Inventory learns patients' ids from scheduling's events, once, and nothing else about them."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import PatientRegistered
from clinic_testing.helpers import bearer, eventually, running
from inventory.adapters.orm import inbox, patient_refs
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings


def registered(patient_id: uuid.UUID) -> Envelope:
    event = PatientRegistered(
        patient_id=patient_id,
        first_name="Amelia",
        last_name="Hart",
        phone="+447911123456",
        consent_sms=True,
    )
    return Envelope.wrap(event, producer="scheduling", correlation_id="c-1")


async def test_registered_patient_becomes_known_once_even_when_redelivered(make_settings) -> None:
    app = build_app(await make_settings(InventorySettings))
    patient_id = uuid.uuid4()
    envelope = registered(patient_id)
    async with running(app) as client:
        bus = app.state.runtime.message_bus
        for _ in range(3):
            await bus.publish(envelope)

        async def read() -> int:
            response = await client.get(f"/v1/patient-refs/{patient_id}", headers=bearer("admin"))
            return response.status_code

        await eventually(read, until=lambda status: status == 200)
        async with app.state.runtime.db.session() as session:
            refs = (await session.execute(sa.select(patient_refs))).all()
            handled = (await session.execute(sa.select(inbox))).all()
        stock = await client.get(f"/v1/patient-refs/{patient_id}", headers=bearer("stock_manager"))
        desk = await client.get(f"/v1/patient-refs/{patient_id}", headers=bearer("receptionist"))
        unknown = await client.get(f"/v1/patient-refs/{uuid.uuid4()}", headers=bearer("admin"))

    assert [r.patient_id for r in refs] == [patient_id]
    assert [(h.consumer, h.event_id) for h in handled] == [("inventory", str(envelope.id))]
    assert stock.status_code == 200
    assert set(stock.json()) == {"patient_id", "first_seen_at"}
    assert desk.status_code == 403
    assert unknown.status_code == 404
