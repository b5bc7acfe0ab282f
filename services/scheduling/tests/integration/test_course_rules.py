"""Issue 19 items 1 and 6: one active course per treatment area, and abandoning a course in one
step."""

from __future__ import annotations

import asyncio

import httpx

from clinic_testing.helpers import eventually

from .conftest import ADMIN, MONDAY, Clinic, days, instant, local

THIGHS_AREA_CODES = ("cellulite-thighs", "cellulite-thighs-intensive")


async def _open(clinic: Clinic, treatment: str, patient: str | None = None) -> httpx.Response:
    return await clinic.post(
        "/v1/courses",
        {
            "patient_id": patient or clinic.patient,
            "treatment_code": treatment,
            "practitioner_id": clinic.practitioner,
        },
    )


async def test_a_second_course_in_an_area_is_a_409_naming_the_first(clinic: Clinic) -> None:
    first = await clinic.course()
    for code in THIGHS_AREA_CODES:  # thighs and intensive thighs share the area
        refused = await _open(clinic, code)
        assert refused.status_code == 409, refused.text
        assert refused.json()["course_id"] == first
        assert refused.json()["errors"][0]["field"] == "body.treatment_code"
    other_area = await _open(clinic, "cellulite-abdomen")
    assert other_area.status_code == 201
    courses = await clinic.client.get(
        "/v1/courses", params={"patient_id": clinic.patient}, headers=ADMIN
    )
    assert len(courses.json()) == 2


async def test_the_way_forward_from_the_409_is_a_plan_of_the_missing_sessions(
    clinic: Clinic,
) -> None:
    first = await clinic.course(sessions_planned=4)
    await clinic.book_ok(first, local(MONDAY + days(1)))

    refused = await _open(clinic, "cellulite-thighs-intensive")
    named = refused.json()["course_id"]
    plan = await clinic.post(f"/v1/courses/{named}/plan", {"time_of_day": "10:00"})

    assert plan.status_code == 200, plan.text
    assert [p["sequence"] for p in plan.json()] == [2, 3, 4]  # the three not yet booked


async def test_after_abandoning_its_course_the_area_can_start_again(clinic: Clinic) -> None:
    first = await clinic.course()
    abandoned = await clinic.post(f"/v1/courses/{first}/abandon", {})
    assert abandoned.status_code == 200, abandoned.text
    assert (await _open(clinic, "cellulite-thighs-intensive")).status_code == 201


async def test_two_courses_of_one_area_opened_at_once_open_one(clinic: Clinic) -> None:
    answers = await asyncio.gather(*(_open(clinic, "cellulite-thighs") for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 4


async def test_abandoning_cancels_the_upcoming_sessions_in_one_action(clinic: Clinic) -> None:
    course = await clinic.course()
    booked = [await clinic.book_ok(course, local(MONDAY + days(7 * i), 10)) for i in range(3)]
    abandoned = await clinic.post(f"/v1/courses/{course}/abandon", {})
    assert abandoned.status_code == 200, abandoned.text
    assert abandoned.json()["status"] == "abandoned"
    for session in booked:
        read = await clinic.client.get(f"/v1/sessions/{session['id']}", headers=ADMIN)
        assert read.json()["status"] == "cancelled"

    def cancellations() -> list:
        """Each event once: the bus delivers at least once, and a publish retried after a
        broker hiccup arrives twice (consumers' inboxes absorb it)."""
        events = [e for e in clinic.events if e.type == "scheduling.session.cancelled"]
        return list({e.id: e for e in events}.values())

    async def seen() -> list:
        return cancellations()

    await eventually(seen, until=lambda c: len(c) == 3)
    actions = {e.data["action"]["id"] for e in cancellations()}
    assert len(actions) == 1  # one notice to the patient for the whole course
    assert {e.data["action"]["sessions"] for e in cancellations()} == {3}


async def test_a_course_is_not_abandoned_while_a_session_is_under_way(clinic: Clinic) -> None:
    course = await clinic.course()
    session = await clinic.book_ok(course, local(MONDAY + days(7), 10))
    clinic.travel_to(instant(local(MONDAY + days(7), 10, 10)))
    refused = await clinic.post(f"/v1/courses/{course}/abandon", {})
    assert refused.status_code == 409, refused.text
    assert refused.json()["session_ids"] == [session["id"]]
    read = await clinic.client.get(f"/v1/sessions/{session['id']}", headers=ADMIN)
    assert read.json()["status"] == "booked"


async def test_a_course_whose_session_was_completed_before_its_end_can_be_abandoned(
    clinic: Clinic,
) -> None:
    """Found by the model-based test: a session completed while its slot still runs held the
    course as "under way", and the refusal said to complete it first."""
    course = await clinic.course()
    done = await clinic.book_ok(course, local(MONDAY + days(7), 10))
    later = await clinic.book_ok(course, local(MONDAY + days(14), 10))
    clinic.travel_to(instant(local(MONDAY + days(7), 10, 10)))
    completed = await clinic.post(
        f"/v1/sessions/{done['id']}/complete", {"products_used": []}, headers=clinic.doctor
    )
    assert completed.status_code == 200, completed.text
    abandoned = await clinic.post(f"/v1/courses/{course}/abandon", {})
    assert abandoned.status_code == 200, abandoned.text
    statuses = {s["id"]: s["status"] for s in abandoned.json()["sessions"]}
    assert statuses == {done["id"]: "completed", later["id"]: "cancelled"}
