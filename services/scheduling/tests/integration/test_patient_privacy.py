"""Patients' contact details sealed at rest, found by blind index, and erased on request."""

from __future__ import annotations

import socket

import sqlalchemy as sa

from clinic_shared.contracts.events import PatientErased
from clinic_testing.helpers import eventually, running
from scheduling.bootstrap import build_app
from scheduling.settings import SchedulingSettings

from .conftest import ADMIN, DESK, MONDAY, Clinic, days, local

PHONE = "+447911123456"


async def _raw(clinic: Clinic, sql: str) -> list[tuple[object, ...]]:
    async with clinic.app.state.runtime.db.session() as session:
        return [tuple(r) for r in await session.execute(sa.text(sql))]


async def test_stored_phone_email_and_events_are_unreadable_without_the_key(clinic: Clinic) -> None:
    await clinic.new_patient("Nadia")
    stored = await _raw(clinic, "SELECT phone, email FROM patients")
    bodies = await _raw(clinic, "SELECT body FROM outbox")
    dump = repr(stored + bodies)
    assert PHONE not in dump
    assert "nadia@example.com" not in dump
    assert all(str(b[0]).startswith("enc1.dev.") for b in bodies)
    read = await clinic.client.get(f"/v1/patients/{clinic.patient}", headers=DESK)
    assert read.json()["phone"] == PHONE


async def test_staff_find_a_patient_by_exact_phone_or_email(clinic: Clinic) -> None:
    nadia = await clinic.new_patient("Nadia")
    for query, expected in (
        ("+44 7911 123456", clinic.patient),
        ("NADIA@example.com", nadia),
        ("nadia@example", None),
    ):
        found = await clinic.client.get("/v1/patients", params={"q": query}, headers=DESK)
        assert [p["id"] for p in found.json()] == ([expected] if expected else [])


async def test_erasing_keeps_sessions_cancelled_but_nothing_naming_or_reaching_the_patient(
    clinic: Clinic,
) -> None:
    course = await clinic.course()
    session = await clinic.book_ok(course, local(MONDAY + days(1)))
    refused = await clinic.post(f"/v1/patients/{clinic.patient}/erase", {}, DESK)
    assert refused.status_code == 403
    first = await clinic.post(f"/v1/patients/{clinic.patient}/erase", {}, ADMIN)
    second = await clinic.post(f"/v1/patients/{clinic.patient}/erase", {}, ADMIN)
    assert first.status_code == second.status_code == 200, first.text
    assert first.json() == second.json()
    erased = first.json()
    assert (erased["first_name"], erased["last_name"]) == ("erased", "erased")
    assert (erased["phone"], erased["email"], erased["consent_sms"]) == (None, None, False)
    assert erased["erased_at"] is not None
    kept = await clinic.client.get(f"/v1/sessions/{session['id']}", headers=DESK)
    assert kept.status_code == 200
    assert kept.json()["status"] == "cancelled"  # on record, no longer in the agenda
    await eventually(
        lambda: _erasures(clinic),
        until=lambda found: len(found) == 1 and found[0] == clinic.patient,
    )
    found = await clinic.client.get("/v1/patients", params={"q": PHONE}, headers=DESK)
    assert found.json() == []
    edit = await clinic.client.patch(
        f"/v1/patients/{clinic.patient}", json={"phone": PHONE}, headers=DESK
    )
    assert edit.status_code == 409


async def _erasures(clinic: Clinic) -> list[str]:
    return [str(e.data["patient_id"]) for e in clinic.events if e.type == PatientErased.TYPE]


async def test_export_with_a_service_down_is_refused_whole_naming_it(make_settings) -> None:
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    dead = f"http://127.0.0.1:{listening.getsockname()[1]}"
    settings = await make_settings(SchedulingSettings, inventory_url=dead, notifications_url=dead)
    async with running(build_app(settings)) as client:
        patient = await client.post(
            "/v1/patients", json={"first_name": "A", "last_name": "B", "phone": PHONE}, headers=DESK
        )
        path = f"/v1/patients/{patient.json()['id']}/export"
        assert (await client.get(path, headers=DESK)).status_code == 403
        refused = await client.get(path, headers=ADMIN)
    listening.close()
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["service"] in {"inventory", "notifications"}
    assert refused.json()["service"] in refused.json()["detail"]
