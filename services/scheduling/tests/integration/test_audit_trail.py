"""Every staff change to a patient, a course or a session is on its record: who (the token's
subject), in which role, when, and which fields; never the contact details themselves."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa

from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET, Role, mint_token
from scheduling.adapters.orm import audit_entries

from .conftest import MONDAY, PARIS, Clinic, days, local

PHONE, EMAIL, NEW_EMAIL = "06 12 34 56 78", "zoe@example.com", "zoe.new@example.com"


def token(role: Role, subject: str, practitioner: str | None = None) -> dict[str, str]:
    as_practitioner = uuid.UUID(practitioner) if practitioner else None
    minted = mint_token(
        DEVELOPMENT_JWT_SECRET, role=role, subject=subject, practitioner_id=as_practitioner
    )
    return {"Authorization": f"Bearer {minted}"}


ANNA = token(Role.RECEPTIONIST, "staff-anna")
CARL = token(Role.ADMIN, "staff-carl")


async def trail(clinic: Clinic, path: str) -> list[tuple[str, str, str, list[str]]]:
    read = await clinic.client.get(path, headers=CARL)
    assert read.status_code == 200, read.text
    return [(e["by"], e["role"], e["action"], e["fields"]) for e in read.json()["audit"]]


async def _zoe(clinic: Clinic) -> str:
    body = {
        "first_name": "Zoé",
        "last_name": "Martin",
        "phone": PHONE,
        "email": EMAIL,
        "consent_sms": True,
    }
    registered = await clinic.post("/v1/patients", body, ANNA)
    assert registered.status_code == 201, registered.text
    return str(registered.json()["id"])


async def test_a_patients_changes_name_who_made_them_and_which_fields(clinic: Clinic) -> None:
    patient = await _zoe(clinic)
    url = f"/v1/patients/{patient}"
    await clinic.client.patch(url, json={"email": NEW_EMAIL}, headers=ANNA)
    await clinic.client.patch(url, json={"email": NEW_EMAIL}, headers=ANNA)  # no change
    await clinic.post(f"{url}/erase", {}, CARL)

    read = await clinic.client.get(url, headers=CARL)
    assert [(e["by"], e["role"], e["action"]) for e in read.json()["audit"]] == [
        ("staff-anna", "receptionist", "registered"),
        ("staff-anna", "receptionist", "updated"),
        ("staff-carl", "admin", "erased"),
    ]
    registered, updated, erased = (e["fields"] for e in read.json()["audit"])
    assert {"first_name", "last_name", "phone", "email", "consent_sms"} <= set(registered)
    assert updated == ["email"]
    assert {"first_name", "last_name", "phone", "email", "erased_at"} <= set(erased)
    assert {e["at"] for e in read.json()["audit"]} == {"2030-03-04T07:00:00Z"}  # the clock


async def test_the_trail_holds_no_contact_details(clinic: Clinic) -> None:
    patient = await _zoe(clinic)
    await clinic.client.patch(f"/v1/patients/{patient}", json={"email": NEW_EMAIL}, headers=ANNA)
    async with clinic.app.state.runtime.db.session() as db:
        rows = [dict(r._mapping) for r in await db.execute(sa.select(audit_entries))]
    stored = repr(rows).lower()
    assert [r["action"] for r in rows if str(r["record_id"]) == patient] == [
        "registered",
        "updated",
    ]
    for value in ("612345678", "7911123456", "zoe@", "zoe.new@", "zoé"):
        assert value not in stored


async def test_a_course_and_its_sessions_name_each_change_and_who_made_it(
    clinic: Clinic,
) -> None:
    opened = await clinic.post(
        "/v1/courses",
        {
            "patient_id": clinic.patient,
            "treatment_code": "cellulite-thighs",
            "practitioner_id": clinic.practitioner,
        },
        ANNA,
    )
    course = opened.json()["id"]
    body = {"course_id": course, "room_id": clinic.rooms[0]}
    first = (await clinic.post("/v1/sessions", body | {"starts_at": local(MONDAY)}, ANNA)).json()
    later = local(MONDAY + days(7))
    second = (await clinic.post("/v1/sessions", body | {"starts_at": later}, ANNA)).json()
    moved = await clinic.post(
        f"/v1/sessions/{second['id']}/reschedule", {"starts_at": local(MONDAY + days(8))}, CARL
    )
    assert moved.status_code == 200, moved.text
    await clinic.post(f"/v1/sessions/{second['id']}/cancel", {"reason": "away"}, ANNA)
    clinic.travel_to(datetime.combine(MONDAY, time(11), tzinfo=PARIS))
    bea = token(Role.PRACTITIONER, "staff-bea", clinic.practitioner)
    missed = await clinic.post(f"/v1/sessions/{first['id']}/no-show", {}, bea)
    assert missed.status_code == 200, missed.text
    await clinic.post(f"/v1/courses/{course}/abandon", {}, ANNA)

    assert await trail(clinic, f"/v1/courses/{course}") == [
        ("staff-anna", "receptionist", "opened", _fields("opened")),
        ("staff-anna", "receptionist", "abandoned", ["status"]),
    ]
    assert await trail(clinic, f"/v1/sessions/{first['id']}") == [
        ("staff-anna", "receptionist", "booked", _fields("booked")),
        ("staff-bea", "practitioner", "no_show", ["status"]),
    ]
    assert await trail(clinic, f"/v1/sessions/{second['id']}") == [
        ("staff-anna", "receptionist", "booked", _fields("booked")),
        ("staff-carl", "admin", "rescheduled", ["starts_at", "ends_at"]),
        ("staff-anna", "receptionist", "cancelled", ["status", "cancel_reason"]),
    ]


async def test_a_refused_change_leaves_no_trace(clinic: Clinic) -> None:
    patient = await _zoe(clinic)
    refused = await clinic.client.patch(
        f"/v1/patients/{patient}", json={"phone": "12"}, headers=ANNA
    )
    assert refused.status_code == 422
    assert [action for _, _, action, _ in await trail(clinic, f"/v1/patients/{patient}")] == [
        "registered"
    ]


def _fields(action: str) -> Any:
    return {
        "opened": ["treatment_code", "practitioner_id", "sessions_planned"],
        "booked": ["starts_at", "ends_at", "practitioner_id", "room_id"],
    }[action]
