"""Moving sessions without breaking the series; cancelling, missing and completing them."""

from __future__ import annotations

from datetime import datetime, time

from clinic_testing.helpers import eventually

from .conftest import ADMIN, DESK, MONDAY, PARIS, Clinic, days, instant, local


async def _course_with_sessions(clinic: Clinic, count: int, gap: int = 7) -> tuple[str, list[dict]]:
    course = await clinic.course()
    booked = [await clinic.book_ok(course, local(MONDAY + days(gap * i))) for i in range(count)]
    return course, booked


async def test_a_move_that_breaks_the_next_interval_is_409_unless_following_shift(
    clinic: Clinic,
) -> None:
    _, booked = await _course_with_sessions(clinic, 3)  # 4, 11 and 18 March
    second = booked[1]["id"]
    saturday = local(MONDAY + days(12))  # two days before the third session
    alone = await clinic.post(f"/v1/sessions/{second}/reschedule", {"starts_at": saturday})
    assert alone.status_code == 409
    assert alone.json()["next_session_id"] == booked[2]["id"]

    shifted = await clinic.post(
        f"/v1/sessions/{second}/reschedule", {"starts_at": saturday, "shift_following": True}
    )
    assert shifted.status_code == 200, shifted.text
    body = shifted.json()
    assert instant(body["starts_at"]) == instant(saturday)
    assert [instant(s["starts_at"]) for s in body["shifted"]] == [instant(local(MONDAY + days(19)))]


async def test_a_move_within_the_window_moves_only_that_session(clinic: Clinic) -> None:
    _, booked = await _course_with_sessions(clinic, 3, gap=9)  # 4, 13 and 22 March
    moved = await clinic.post(
        f"/v1/sessions/{booked[1]['id']}/reschedule", {"starts_at": local(MONDAY + days(11), 15)}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["shifted"] == []
    third = await clinic.client.get(f"/v1/sessions/{booked[2]['id']}", headers=ADMIN)
    assert instant(third.json()["starts_at"]) == instant(booked[2]["starts_at"])


async def test_shift_following_across_dst_keeps_every_local_time(clinic: Clinic) -> None:
    _, booked = await _course_with_sessions(clinic, 6)  # 4 March to 8 April, over 31 March
    moved = await clinic.post(
        f"/v1/sessions/{booked[2]['id']}/reschedule",
        {"starts_at": local(MONDAY + days(16)), "shift_following": True},
    )
    assert moved.status_code == 200, moved.text
    sessions = [moved.json(), *moved.json()["shifted"]]
    assert len(sessions) == 4
    for session in sessions:
        start = datetime.fromisoformat(session["starts_at"]).astimezone(PARIS)
        assert start.time() == time(10)
    starts = [datetime.fromisoformat(s["starts_at"]).astimezone(PARIS).date() for s in sessions]
    assert starts == [MONDAY + days(16 + 7 * i) for i in range(4)]


async def test_shift_that_hits_a_busy_slot_moves_nothing(clinic: Clinic) -> None:
    course, booked = await _course_with_sessions(clinic, 3)
    other = await clinic.post(
        "/v1/courses",
        {
            "patient_id": await clinic.new_patient(),
            "treatment_code": "cellulite-arms",
            "practitioner_id": clinic.practitioner,
        },
    )
    blocker = await clinic.book_ok(other.json()["id"], local(MONDAY + days(15)), room=1)
    refused = await clinic.post(
        f"/v1/sessions/{booked[1]['id']}/reschedule",
        {"starts_at": local(MONDAY + days(8)), "shift_following": True},
    )
    assert refused.status_code == 409
    assert refused.json()["conflicting_session_id"] == blocker["id"]
    assert refused.json()["errors"][0]["field"] == "body.shift_following"
    after = (await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)).json()["sessions"]
    assert [instant(s["starts_at"]) for s in after] == [instant(s["starts_at"]) for s in booked]


async def test_cancel_frees_the_slot_and_the_course_place(clinic: Clinic) -> None:
    course, booked = await _course_with_sessions(clinic, 2)
    cancelled = await clinic.post(f"/v1/sessions/{booked[1]['id']}/cancel", {"reason": "flu"})
    again = await clinic.post(f"/v1/sessions/{booked[1]['id']}/cancel", {})
    rebooked = await clinic.book_ok(course, local(MONDAY + days(7)))
    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert rebooked["sequence"] == 2
    await eventually(lambda: _types(clinic), until=lambda t: "scheduling.session.cancelled" in t)
    [event] = [e for e in clinic.events if e.type == "scheduling.session.cancelled"]
    assert event.data["reason"] == "flu"


async def test_no_show_and_completion_wait_for_the_session_to_start(clinic: Clinic) -> None:
    course, booked = await _course_with_sessions(clinic, 2)
    first = booked[0]["id"]
    early = await clinic.post(f"/v1/sessions/{first}/complete", {}, headers=clinic.doctor)
    desk = await clinic.post(f"/v1/sessions/{first}/no-show", {})
    assert early.status_code == 409
    assert desk.status_code == 403

    clinic.travel_to(datetime.combine(MONDAY, time(10, 20), tzinfo=PARIS))
    used = [{"product_code": "caffeine", "lot_number": "CAF-2030-01", "quantity": 1}]
    done = await clinic.post(
        f"/v1/sessions/{first}/complete", {"products_used": used}, headers=clinic.doctor
    )
    twice = await clinic.post(f"/v1/sessions/{first}/complete", {}, headers=clinic.doctor)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert twice.status_code == 409

    clinic.travel_to(datetime.combine(MONDAY + days(7), time(11), tzinfo=PARIS))
    missed = await clinic.post(f"/v1/sessions/{booked[1]['id']}/no-show", {}, headers=clinic.doctor)
    assert missed.json()["status"] == "no_show"
    await eventually(lambda: _types(clinic), until=lambda t: "scheduling.session.no_show" in t)
    [completed] = [e for e in clinic.events if e.type == "scheduling.session.completed"]
    assert completed.data["products_used"] == used
    view = (await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)).json()
    assert view["next_window"] == {"earliest": "2030-03-11", "latest": "2030-03-19"}


async def test_the_last_session_completed_completes_the_course(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=1)
    only = await clinic.book_ok(course, local(MONDAY))
    clinic.travel_to(datetime.combine(MONDAY, time(10, 30), tzinfo=PARIS))
    await clinic.post(f"/v1/sessions/{only['id']}/complete", {}, headers=clinic.doctor)
    view = (await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)).json()
    assert view["status"] == "completed"
    assert view["next_window"] is None
    await eventually(lambda: _types(clinic), until=lambda t: "scheduling.course.completed" in t)


async def _types(clinic: Clinic) -> list[str]:
    return [e.type for e in clinic.events]


async def test_a_sessions_move_window_is_bounded_by_its_neighbours_unless_shifting(
    clinic: Clinic,
) -> None:
    _, booked = await _course_with_sessions(clinic, 3, gap=9)  # 4, 13 and 22 March

    response = await clinic.client.get(f"/v1/sessions/{booked[1]['id']}/window", headers=DESK)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "alone": {"earliest": "2030-03-11", "latest": "2030-03-15"},  # 7+ after 4th, 7+ before 22nd
        "shift_following": {"earliest": "2030-03-11", "latest": "2030-03-19"},  # 7-15 after 4th
        "closed": [],  # no absence in either window
    }
