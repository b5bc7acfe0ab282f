"""Planning a course and booking the plan at once; the course's next window."""

from __future__ import annotations

from datetime import datetime, time

from .conftest import ADMIN, MONDAY, PARIS, Clinic, days, instant, local


async def test_plan_proposes_every_remaining_session_and_book_plan_books_them_all(
    clinic: Clinic,
) -> None:
    course = await clinic.course(sessions_planned=10)
    await clinic.book_ok(course, local(MONDAY, 10))
    plan = await clinic.post(
        f"/v1/courses/{course}/plan",
        {"first_date": str(MONDAY + days(1)), "weekdays": [2], "time_of_day": "11:00"},
    )
    assert plan.status_code == 200, plan.text
    proposals = plan.json()
    assert [p["sequence"] for p in proposals] == list(range(2, 11))
    starts = [instant(p["starts_at"]).astimezone(PARIS) for p in proposals]
    # Every Wednesday but Wednesday 1 May 2030, a public holiday in France (Labour Day): the
    # clinic is closed then, and that session comes the next day.
    assert [s.date() for s in starts if s.weekday() != 2] == [datetime(2030, 5, 2).date()]
    assert {s.time() for s in starts} == {time(11)}  # before and after the DST change

    booked = await clinic.post(
        f"/v1/courses/{course}/book-plan",
        {"sessions": [{"starts_at": p["starts_at"], "room_id": p["room_id"]} for p in proposals]},
    )
    assert booked.status_code == 201, booked.text
    view = (await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)).json()
    assert len(view["sessions"]) == 10
    assert view["next_window"] is None


async def test_book_plan_is_all_or_nothing_and_names_the_refused_start(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=3)
    starts = [
        {"starts_at": local(MONDAY), "room_id": clinic.rooms[0]},
        {"starts_at": local(MONDAY + days(7)), "room_id": clinic.rooms[0]},
        {"starts_at": local(MONDAY + days(10)), "room_id": clinic.rooms[0]},  # 3 days: too soon
    ]
    refused = await clinic.post(f"/v1/courses/{course}/book-plan", {"sessions": starts})
    assert refused.status_code == 422
    assert refused.json()["index"] == 2
    assert refused.json()["errors"][0]["field"] == "body.sessions[2].starts_at"
    view = (await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)).json()
    assert view["sessions"] == []
    assert view["next_window"] == {"earliest": None, "latest": None}


async def test_plan_goes_around_time_off_and_other_bookings(clinic: Clinic) -> None:
    await clinic.post(
        f"/v1/practitioners/{clinic.practitioner}/time-off",
        {
            "starts_at": local(MONDAY + days(7), 0),
            "ends_at": local(MONDAY + days(14), 0),
            "reason": "holiday",
        },
    )
    course = await clinic.course(sessions_planned=3)
    await clinic.book_ok(course, local(MONDAY, 10))
    plan = await clinic.post(f"/v1/courses/{course}/plan", {"time_of_day": "10:00"})
    days_planned = [instant(p["starts_at"]).astimezone(PARIS).date() for p in plan.json()]
    assert days_planned[0] == MONDAY + days(14)  # first day back, within 15 days
    assert all(not (MONDAY + days(7) <= d < MONDAY + days(14)) for d in days_planned)


async def test_a_plan_that_cannot_fit_says_which_session(clinic: Clinic) -> None:
    await clinic.post(
        f"/v1/practitioners/{clinic.practitioner}/time-off",
        {"starts_at": local(MONDAY + days(1), 0), "ends_at": local(MONDAY + days(40), 0)},
    )
    course = await clinic.course(sessions_planned=3)
    await clinic.book_ok(course, local(MONDAY, 10))
    plan = await clinic.post(f"/v1/courses/{course}/plan", {})
    assert plan.status_code == 422
    assert plan.json()["sequence"] == 2


async def test_invalid_plan_options_are_422(clinic: Clinic) -> None:
    course = await clinic.course()
    bad = await clinic.post(f"/v1/courses/{course}/plan", {"weekdays": [7], "time_of_day": "25:00"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"body.weekdays.0", "body.time_of_day"}


async def test_next_window_follows_the_last_session(clinic: Clinic) -> None:
    course = await clinic.course()
    await clinic.book_ok(course, local(MONDAY, 10))
    clinic.travel_to(datetime.combine(MONDAY, time(12), tzinfo=PARIS))
    view = (await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)).json()
    assert view["next_window"] == {"earliest": "2030-03-11", "latest": "2030-03-19"}
