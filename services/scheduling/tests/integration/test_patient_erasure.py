"""An erased patient's upcoming sessions are cancelled with their courses, in one action, and
nothing new is booked for them."""

from __future__ import annotations

import asyncio

from clinic_testing.helpers import eventually

from .conftest import ADMIN, MONDAY, Clinic, days, local


async def _event_types(clinic: Clinic) -> list[str]:
    return [e.type for e in clinic.events]


async def test_erasure_cancels_upcoming_sessions_and_abandons_courses(clinic: Clinic) -> None:
    thighs = await clinic.course()
    arms = await clinic.course(treatment="cellulite-arms")
    booked = [
        await clinic.book_ok(thighs, local(MONDAY, 10)),
        await clinic.book_ok(thighs, local(MONDAY + days(7), 10)),
        await clinic.book_ok(arms, local(MONDAY + days(1), 11)),
    ]

    erased = await clinic.post(f"/v1/patients/{clinic.patient}/erase", {}, ADMIN)

    assert erased.status_code == 200, erased.text
    for course in (thighs, arms):
        read = (await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)).json()
        assert read["status"] == "abandoned"
        assert {s["status"] for s in read["sessions"]} == {"cancelled"}
    await eventually(
        lambda: _event_types(clinic), until=lambda t: t.count("scheduling.session.cancelled") == 3
    )
    after = [e for e in clinic.events if e.type.rsplit(".", 1)[1] in ("erased", "cancelled")]
    assert after[0].type == "scheduling.patient.erased"  # notifications forgets them first
    cancelled = after[1:]
    assert {e.data["session_id"] for e in cancelled} == {s["id"] for s in booked}
    assert {e.data["reason"] for e in cancelled} == {"patient erased"}
    assert len({e.data["action"]["id"] for e in cancelled}) == 1  # one action, one notice at most
    assert [e.data["action"]["sessions"] for e in cancelled] == [3, 3, 3]


async def test_an_erased_patient_gets_no_new_course_or_session(clinic: Clinic) -> None:
    course = await clinic.course()
    await clinic.post(f"/v1/patients/{clinic.patient}/erase", {}, ADMIN)

    opened = await clinic.post(
        "/v1/courses",
        {
            "patient_id": clinic.patient,
            "treatment_code": "cellulite-arms",
            "practitioner_id": clinic.practitioner,
        },
    )
    booking = await clinic.book(course, local(MONDAY, 10))
    plan = await clinic.post(
        f"/v1/courses/{course}/book-plan",
        {"sessions": [{"starts_at": local(MONDAY, 10), "room_id": clinic.rooms[0]}]},
    )

    assert opened.status_code == 409
    assert opened.headers["content-type"] == "application/problem+json"
    assert opened.json()["type"].endswith("patient-erased")
    assert opened.json()["errors"] == [
        {"field": "body.patient_id", "reason": "the patient was erased"}
    ]
    for refused in (booking, plan):
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    sessions = await clinic.client.get("/v1/sessions", params={"course_id": course}, headers=ADMIN)
    assert sessions.json() == []


async def test_a_booking_racing_an_erasure_is_refused_or_cancelled(clinic: Clinic) -> None:
    """Erasure locks each course as a booking does: a booking committed first is cancelled by
    the erasure; one after finds the course abandoned. Never an erased patient's session left."""
    for i in range(6):
        patient = await clinic.new_patient(f"Racer{i}")
        course = await clinic.course(patient=patient)
        erased, booked = await asyncio.gather(
            clinic.post(f"/v1/patients/{patient}/erase", {}, ADMIN),
            clinic.book(course, local(MONDAY + days(i), 10), room=i % 2),
        )
        assert erased.status_code == 200, erased.text
        assert booked.status_code in (201, 409), booked.text
        read = await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)
        assert read.json()["status"] == "abandoned"
        assert {s["status"] for s in read.json()["sessions"]} <= {"cancelled"}
