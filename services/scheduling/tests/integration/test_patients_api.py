"""Registering patients over the API, on PostgreSQL with RabbitMQ."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from clinic_shared.contracts import Envelope
from clinic_testing.helpers import bearer, eventually, running
from scheduling.adapters.orm import outbox, patients
from scheduling.bootstrap import build_app
from scheduling.settings import SchedulingSettings

AMELIA = {
    "first_name": "Amelia",
    "last_name": "Hart",
    "phone": "06 12 34 56 78",
    "email": "Amelia.Hart@Example.com",
    "preferred_channel": "sms",
    "consent_sms": True,
}


async def _rows(app, table: sa.Table) -> list:
    async with app.state.runtime.db.session() as session:
        return list((await session.execute(sa.select(table))).all())


async def test_registered_patient_is_stored_normalised_and_announced(make_settings) -> None:
    settings = await make_settings(SchedulingSettings)
    app = build_app(settings)
    seen: list[Envelope] = []

    async def notifications(envelope: Envelope) -> None:
        seen.append(envelope)

    async with running(app) as client:
        await app.state.runtime.message_bus.subscribe("notifications", notifications)
        created = await client.post(
            "/v1/patients",
            json=AMELIA,
            headers=bearer("receptionist") | {"X-Correlation-ID": "desk-42"},
        )
        assert created.status_code == 201, created.text
        patient = created.json()
        assert patient["phone"] == "+33612345678"
        assert patient["email"] == "amelia.hart@example.com"

        read = await client.get(f"/v1/patients/{patient['id']}", headers=bearer("admin"))
        assert read.json() == patient | {"audit": read.json()["audit"]}  # a read adds its trail

        await eventually(lambda: _len(seen), until=lambda n: n == 1)
    [event] = seen
    assert event.type == "scheduling.patient.registered"
    assert event.data["patient_id"] == patient["id"]
    assert event.data["phone"] == "+33612345678"
    assert event.correlation_id == "desk-42"


async def test_repeating_a_registration_with_its_id_registers_once(make_settings) -> None:
    app = build_app(await make_settings(SchedulingSettings))
    body = AMELIA | {"id": str(uuid.uuid4())}
    async with running(app) as client:
        first = await client.post("/v1/patients", json=body, headers=bearer("receptionist"))
        again = await client.post("/v1/patients", json=body, headers=bearer("receptionist"))
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert len(await _rows(app, patients)) == 1
        assert len(await _rows(app, outbox)) == 1


async def test_invalid_patient_gets_422_naming_each_field_and_writes_nothing(make_settings) -> None:
    app = build_app(await make_settings(SchedulingSettings))
    async with running(app) as client:
        bad = await client.post(
            "/v1/patients",
            json={"first_name": "", "last_name": "Hart", "email": "not-an-email", "extra": 1},
            headers=bearer("receptionist"),
        )
        unreachable = await client.post(
            "/v1/patients",
            json=AMELIA | {"phone": None, "email": None},
            headers=bearer("receptionist"),
        )
        wrong_number = await client.post(
            "/v1/patients", json=AMELIA | {"phone": "+44 12"}, headers=bearer("admin")
        )
        assert len(await _rows(app, patients)) == 0
        assert len(await _rows(app, outbox)) == 0

    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"body.first_name", "body.email", "body.extra"}
    assert unreachable.status_code == 422
    assert {e["field"] for e in unreachable.json()["errors"]} == {"body.phone"}
    assert wrong_number.status_code == 422
    assert wrong_number.json()["errors"][0]["field"] == "body.phone"


async def test_patients_need_a_token_and_a_front_desk_role(make_settings) -> None:
    app = build_app(await make_settings(SchedulingSettings))
    async with running(app) as client:
        anonymous = await client.post("/v1/patients", json=AMELIA)
        stock = await client.post("/v1/patients", json=AMELIA, headers=bearer("stock_manager"))
        forged = await client.post(
            "/v1/patients", json=AMELIA, headers=bearer("admin", secret="x" * 40)
        )
        practitioner_list = await client.get("/v1/patients", headers=bearer("practitioner"))
        assert len(await _rows(app, patients)) == 0

    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert stock.status_code == 403
    assert stock.json()["allowed_roles"] == ["admin", "receptionist"]
    assert forged.status_code == 401
    assert practitioner_list.status_code == 200


async def test_unknown_patient_is_a_404_problem(make_settings) -> None:
    app = build_app(await make_settings(SchedulingSettings))
    async with running(app) as client:
        missing = await client.get(f"/v1/patients/{uuid.uuid4()}", headers=bearer("admin"))
        malformed = await client.get("/v1/patients/not-a-uuid", headers=bearer("admin"))
    assert missing.status_code == 404
    assert missing.json()["title"] == "Not found"
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "path.patient_id"


async def test_ready_when_database_bus_and_relay_are_up(make_settings) -> None:
    app = build_app(await make_settings(SchedulingSettings))
    async with running(app) as client:
        ready = await client.get("/readyz", headers=bearer("admin"))
        health = await client.get("/healthz")
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["database"] is True
    assert ready.json()["checks"]["broker"] is True


async def _len(items: list) -> int:
    return len(items)
