"""Booking sessions: the interval, the hours, the course's count, and no double booking."""

from __future__ import annotations

from clinic_testing.helpers import eventually

from .conftest import ADMIN, MONDAY, Clinic, days, instant, local


async def test_booked_session_gets_its_sequence_end_and_event(clinic: Clinic) -> None:
    course = await clinic.course()
    first = await clinic.book_ok(course, local(MONDAY, 10))
    assert first["sequence"] == 1
    assert first["status"] == "booked"
    assert instant(first["ends_at"]) == instant(local(MONDAY, 10, 30))  # thighs: 30 minutes

    await eventually(lambda: _types(clinic), until=lambda t: "scheduling.session.booked" in t)
    [booked] = [e for e in clinic.events if e.type == "scheduling.session.booked"]
    assert booked.data["session_id"] == first["id"]
    assert booked.data["sequence"] == 1
    assert booked.data["sessions_planned"] == 10
    assert booked.data["treatment_code"] == "cellulite-thighs"
    assert booked.data["patient_id"] == clinic.patient


async def test_second_session_six_days_later_is_refused_naming_the_window(clinic: Clinic) -> None:
    course = await clinic.course()
    await clinic.book_ok(course, local(MONDAY))
    too_soon = await clinic.book(course, local(MONDAY + days(6)))
    too_late = await clinic.book(course, local(MONDAY + days(16)))
    in_window = await clinic.book(course, local(MONDAY + days(7)))

    assert too_soon.status_code == 422
    assert too_soon.headers["content-type"] == "application/problem+json"
    assert too_soon.json()["window"] == {"earliest": "2030-03-11", "latest": "2030-03-19"}
    assert too_soon.json()["errors"][0]["field"] == "body.starts_at"
    assert too_late.status_code == 422
    assert in_window.status_code == 201


async def test_a_session_inserted_between_two_is_judged_by_both(clinic: Clinic) -> None:
    course = await clinic.course()
    await clinic.book_ok(course, local(MONDAY))
    await clinic.book_ok(course, local(MONDAY + days(14)))
    between = await clinic.book(course, local(MONDAY + days(3)))
    assert between.status_code == 422
    assert between.json()["window"] == {"earliest": "2030-03-11", "latest": "2030-03-11"}
    fits = await clinic.book_ok(course, local(MONDAY + days(7)))
    assert fits["sequence"] == 2
    sessions = (await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)).json()["sessions"]
    assert [s["sequence"] for s in sessions] == [1, 2, 3]


async def test_practitioner_and_room_are_never_double_booked(clinic: Clinic) -> None:
    first = await clinic.book_ok(await clinic.course(), local(MONDAY, 10))
    other_patient = await clinic.new_patient()
    other_course = (
        await clinic.post(
            "/v1/courses",
            {
                "patient_id": other_patient,
                "treatment_code": "cellulite-arms",
                "practitioner_id": clinic.practitioner,
            },
        )
    ).json()["id"]

    same_practitioner = await clinic.book(other_course, local(MONDAY, 10, 15), room=1)
    back_to_back = await clinic.book(other_course, local(MONDAY, 10, 30), room=0)

    assert same_practitioner.status_code == 409
    assert same_practitioner.json()["resource"] == "practitioner"
    assert same_practitioner.json()["conflicting_session_id"] == first["id"]
    assert back_to_back.status_code == 201


async def test_sessions_respect_hours_the_past_and_the_planned_count(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=1)
    sunday = await clinic.book(course, local(MONDAY - days(1) + days(7)))
    evening = await clinic.book(course, local(MONDAY, 17, 45))
    past = await clinic.book(course, local(MONDAY, 7))
    naive = await clinic.post(
        "/v1/sessions",
        {"course_id": course, "starts_at": "2030-03-04T10:00:00", "room_id": clinic.rooms[0]},
    )
    await clinic.book_ok(course, local(MONDAY, 10))
    beyond = await clinic.book(course, local(MONDAY + days(7)))

    assert sunday.status_code == 422
    assert "Not a working day" in sunday.json()["detail"]
    assert evening.status_code == 422
    assert evening.json()["working_hours"] == ["09:00-18:00"]
    assert past.status_code == 422
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "body.starts_at"
    assert beyond.status_code == 422
    assert beyond.json()["errors"][0]["field"] == "body.course_id"


async def test_time_off_blocks_bookings(clinic: Clinic) -> None:
    away = await clinic.post(
        f"/v1/practitioners/{clinic.practitioner}/time-off",
        {"starts_at": local(MONDAY, 12), "ends_at": local(MONDAY, 14), "reason": "training"},
    )
    assert away.status_code == 201
    refused = await clinic.book(await clinic.course(), local(MONDAY, 13))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["reason"] == "during the practitioner's time off"


async def test_unknown_ids_are_404_an_unknown_code_422_and_nothing_is_written(
    clinic: Clinic,
) -> None:
    course = await clinic.course()
    unknown = "00000000-0000-4000-8000-00000000dead"
    no_room = await clinic.post(
        "/v1/sessions", {"course_id": course, "starts_at": local(MONDAY), "room_id": unknown}
    )
    no_course = await clinic.post(
        "/v1/sessions",
        {"course_id": unknown, "starts_at": local(MONDAY), "room_id": clinic.rooms[0]},
    )
    no_treatment = await clinic.post(
        "/v1/courses",
        {
            "patient_id": clinic.patient,
            "treatment_code": "botox",
            "practitioner_id": clinic.practitioner,
        },
    )
    sessions = await clinic.client.get("/v1/sessions", headers=ADMIN)
    assert (no_room.status_code, no_course.status_code, no_treatment.status_code) == (404, 404, 422)
    assert no_treatment.json()["errors"] == [
        {"field": "body.treatment_code", "reason": "no such treatment"}
    ]
    assert sessions.json() == []


async def test_a_refused_booking_on_a_held_slot_is_refused_for_its_first_broken_rule(
    clinic: Clinic,
) -> None:
    await clinic.book_ok(await clinic.course(), local(MONDAY, 10))
    full = await clinic.course(sessions_planned=1, patient=await clinic.new_patient())
    await clinic.book_ok(full, local(MONDAY, 14))

    one_too_many = await clinic.book(full, local(MONDAY, 10))  # also the practitioner's slot
    free_but_full = await clinic.book(full, local(MONDAY, 16))

    for refused in (one_too_many, free_but_full):
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "body.course_id"
    listed = await clinic.client.get("/v1/sessions", headers=ADMIN)
    booked = sorted(instant(s["starts_at"]) for s in listed.json())
    assert booked == [instant(local(MONDAY, 10)), instant(local(MONDAY, 14))]


async def _types(clinic: Clinic) -> list[str]:
    return [e.type for e in clinic.events]
