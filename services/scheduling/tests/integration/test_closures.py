"""Issue 19, items 9 to 11: public holidays, the clinic's closures and time off; what they do to
booked sessions (409 unless forced, then flagged) and to bookings, moves and plans."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import sqlalchemy as sa

from clinic_testing.helpers import eventually

from .conftest import ADMIN, DESK, MONDAY, PARIS, Clinic, days, instant, local

EASTER_MONDAY = date(2030, 4, 22)  # a public holiday in France, the clinic's default country


def _problem(answer: Any, status: int, slug: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["type"].endswith(f"/{slug}"), body
    return body


async def _session(clinic: Clinic, session_id: str) -> dict[str, Any]:
    answer = await clinic.client.get(f"/v1/sessions/{session_id}", headers=DESK)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def _closed(clinic: Clinic, first: date, last: date) -> list[dict[str, Any]]:
    span = {"from": local(first, 0), "to": local(last, 0)}
    answer = await clinic.client.get("/v1/closures", params=span, headers=DESK)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_a_public_holiday_closes_the_clinic_until_an_admin_opens_it(clinic: Clinic) -> None:
    course = await clinic.course()

    refused = _problem(await clinic.book(course, local(EASTER_MONDAY)), 422, "clinic-closed")
    tuesday = await clinic.book_ok(course, local(EASTER_MONDAY + days(1)))
    move = f"/v1/sessions/{tuesday['id']}/reschedule"
    not_moved = await clinic.post(move, {"starts_at": local(EASTER_MONDAY, 11)})
    assert _problem(not_moved, 422, "clinic-closed")["closure"]["reason"] == "Easter Monday"
    assert refused["closure"]["kind"] == "holiday"
    assert refused["closure"]["reason"] == "Easter Monday"
    assert refused["errors"][0]["field"] == "body.starts_at"
    listed = await clinic.client.get("/v1/holidays", params={"year": 2030}, headers=DESK)
    easter = next(h for h in listed.json() if h["day"] == str(EASTER_MONDAY))
    assert easter == {
        "day": "2030-04-22",
        "name": "Easter Monday",
        "open": False,
        "opened_by": None,
    }
    closed = await _closed(clinic, EASTER_MONDAY, EASTER_MONDAY + days(1))
    assert [(c["kind"], c["reason"], c["starts_at"]) for c in closed] == [
        ("holiday", "Easter Monday", "2030-04-21T22:00:00Z")
    ]

    path = f"/v1/holidays/{EASTER_MONDAY}"
    assert (await clinic.client.put(path, json={"open": True}, headers=DESK)).status_code == 403
    opened = await clinic.client.put(path, json={"open": True}, headers=ADMIN)

    assert opened.status_code == 200, opened.text
    assert opened.json()["open"] is True
    assert opened.json()["opened_by"]  # who chose it is recorded
    assert await _closed(clinic, EASTER_MONDAY, EASTER_MONDAY + days(1)) == []
    assert (await clinic.post(move, {"starts_at": local(EASTER_MONDAY, 11)})).status_code == 200


async def test_a_day_that_is_no_holiday_cannot_be_opened(clinic: Clinic) -> None:
    answer = await clinic.client.put(f"/v1/holidays/{MONDAY}", json={"open": True}, headers=ADMIN)
    assert answer.status_code == 404, answer.text
    far = await clinic.client.put("/v1/holidays/9999-12-25", json={"open": True}, headers=ADMIN)
    assert [e["field"] for e in _problem(far, 422, "outside-horizon")["errors"]] == ["path.day"]


async def test_a_closure_is_created_listed_refuses_bookings_and_is_deleted(clinic: Clinic) -> None:
    summer = {
        "starts_at": local(MONDAY + days(7), 0),
        "ends_at": local(MONDAY + days(14), 0),
        "reason": "Summer week",
    }
    created = await clinic.post("/v1/closures", summer)
    assert created.status_code == 201, created.text
    closure = created.json()
    assert closure["starts_at"] == "2030-03-10T23:00:00Z"
    assert closure["flagged_sessions"] == []
    listed = await _closed(clinic, MONDAY, MONDAY + days(30))
    assert [(c["kind"], c["id"], c["reason"]) for c in listed] == [
        ("closure", closure["id"], "Summer week")
    ]
    course = await clinic.course()
    refused = _problem(await clinic.book(course, local(MONDAY + days(9))), 422, "clinic-closed")
    assert refused["closure"]["id"] == closure["id"]
    assert "Summer week" in refused["detail"]

    deleted = await clinic.client.delete(f"/v1/closures/{closure['id']}", headers=DESK)

    assert deleted.status_code == 204, deleted.text
    assert await _closed(clinic, MONDAY, MONDAY + days(30)) == []
    await clinic.book_ok(course, local(MONDAY + days(9)))
    again = await clinic.client.delete(f"/v1/closures/{closure['id']}", headers=DESK)
    assert again.status_code == 404


async def test_time_off_is_listed_with_its_id_and_deleted(clinic: Clinic) -> None:
    path = f"/v1/practitioners/{clinic.practitioner}/time-off"
    away = {"starts_at": local(MONDAY, 13), "ends_at": local(MONDAY, 18), "reason": "Training"}
    created = await clinic.post(path, away)
    assert created.status_code == 201, created.text
    week = {"from": local(MONDAY, 0), "to": local(MONDAY + days(7), 0)}
    listed = (await clinic.client.get("/v1/time-off", params=week, headers=DESK)).json()
    assert [t["id"] for t in listed] == [created.json()["id"]]
    course = await clinic.course()
    refused = _problem(await clinic.book(course, local(MONDAY, 15)), 422, "practitioner-away")
    assert refused["closure"]["id"] == created.json()["id"]

    deleted = await clinic.client.delete(f"/v1/time-off/{created.json()['id']}", headers=DESK)

    assert deleted.status_code == 204, deleted.text
    assert (await clinic.client.get("/v1/time-off", params=week, headers=DESK)).json() == []
    await clinic.book_ok(course, local(MONDAY, 15))
    again = await clinic.client.delete(f"/v1/time-off/{created.json()['id']}", headers=DESK)
    assert again.status_code == 404


async def test_time_off_over_booked_sessions_is_409_listing_them_unless_forced(
    clinic: Clinic,
) -> None:
    booked = await clinic.book_ok(await clinic.course(), local(MONDAY + days(1), 10))
    path = f"/v1/practitioners/{clinic.practitioner}/time-off"
    away = {"starts_at": local(MONDAY + days(1), 9), "ends_at": local(MONDAY + days(2), 9)}

    refused = _problem(await clinic.post(path, away), 409, "sessions-covered")

    assert [s["id"] for s in refused["sessions"]] == [booked["id"]]
    week = {"from": local(MONDAY, 0), "to": local(MONDAY + days(7), 0)}
    assert (await clinic.client.get("/v1/time-off", params=week, headers=DESK)).json() == []
    assert (await _session(clinic, booked["id"]))["closure_conflict"] is None

    forced = await clinic.post(path, away | {"reason": "Flu", "force": True})

    assert forced.status_code == 201, forced.text
    assert forced.json()["flagged_sessions"] == [booked["id"]]
    flag = (await _session(clinic, booked["id"]))["closure_conflict"]
    assert flag == "inside the practitioner's time off: Flu"
    agenda = await clinic.client.get("/v1/sessions", params=week, headers=DESK)
    assert [(s["id"], s["closure_conflict"]) for s in agenda.json()] == [(booked["id"], flag)]
    deleted = await clinic.client.delete(f"/v1/time-off/{forced.json()['id']}", headers=DESK)
    assert deleted.status_code == 204
    assert (await _session(clinic, booked["id"]))["closure_conflict"] is None


async def test_a_forced_closure_flags_every_practitioners_sessions_until_they_move(
    clinic: Clinic,
) -> None:
    course = await clinic.course()
    booked = await clinic.book_ok(course, local(MONDAY + days(1), 10))
    closure = {
        "starts_at": local(MONDAY + days(1), 0),
        "ends_at": local(MONDAY + days(2), 0),
        "reason": "Burst pipe",
    }
    refused = _problem(await clinic.post("/v1/closures", closure), 409, "sessions-covered")
    assert [s["id"] for s in refused["sessions"]] == [booked["id"]]
    assert await _closed(clinic, MONDAY, MONDAY + days(7)) == []

    forced = await clinic.post("/v1/closures", closure | {"force": True})

    assert forced.status_code == 201, forced.text
    assert forced.json()["flagged_sessions"] == [booked["id"]]
    flagged = await _session(clinic, booked["id"])
    assert flagged["closure_conflict"] == "inside a closure of the clinic: Burst pipe"
    view = (await clinic.client.get(f"/v1/courses/{course}", headers=DESK)).json()
    assert view["sessions"][0]["closure_conflict"] == flagged["closure_conflict"]
    moved = await clinic.post(
        f"/v1/sessions/{booked['id']}/reschedule", {"starts_at": local(MONDAY + days(2), 10)}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["closure_conflict"] is None
    assert (await _session(clinic, booked["id"]))["closure_conflict"] is None


async def test_closing_an_opened_holiday_over_sessions_is_409_unless_forced(
    clinic: Clinic,
) -> None:
    path = f"/v1/holidays/{EASTER_MONDAY}"
    assert (await clinic.client.put(path, json={"open": True}, headers=ADMIN)).status_code == 200
    booked = await clinic.book_ok(await clinic.course(), local(EASTER_MONDAY))

    refused = await clinic.client.put(path, json={"open": False}, headers=ADMIN)

    assert [s["id"] for s in _problem(refused, 409, "sessions-covered")["sessions"]] == [
        booked["id"]
    ]
    closed = await clinic.client.put(path, json={"open": False, "force": True}, headers=ADMIN)
    assert closed.status_code == 200, closed.text
    assert closed.json()["open"] is False
    flag = (await _session(clinic, booked["id"]))["closure_conflict"]
    assert flag == "on a public holiday: Easter Monday"


async def test_a_plan_proposes_no_day_inside_time_off_or_a_closure(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=8)
    await clinic.book_ok(course, local(MONDAY, 10))
    closure = {
        "starts_at": local(MONDAY + days(7), 0),
        "ends_at": local(MONDAY + days(10), 0),
        "reason": "Works",
    }
    assert (await clinic.post("/v1/closures", closure)).status_code == 201
    away = {"starts_at": local(MONDAY + days(10), 0), "ends_at": local(MONDAY + days(11), 0)}
    time_off = f"/v1/practitioners/{clinic.practitioner}/time-off"
    assert (await clinic.post(time_off, away)).status_code == 201

    plan = await clinic.post(f"/v1/courses/{course}/plan", {"time_of_day": "10:00"})

    assert plan.status_code == 200, plan.text
    proposed = [instant(p["starts_at"]).astimezone(PARIS).date() for p in plan.json()]
    # The window opens on Monday 11 March: closed to Wednesday (the works), Thursday the
    # practitioner's time off; the first proposal is Friday 15 March.
    assert proposed[0] == MONDAY + days(11)
    booked = await clinic.post(
        f"/v1/courses/{course}/book-plan",
        {"sessions": [{"starts_at": p["starts_at"], "room_id": p["room_id"]} for p in plan.json()]},
    )
    assert booked.status_code == 201, booked.text


async def test_a_plan_proposes_no_public_holiday(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=3)
    await clinic.book_ok(course, local(EASTER_MONDAY - days(7), 10))

    plan = await clinic.post(f"/v1/courses/{course}/plan", {"weekdays": [0]})

    assert plan.status_code == 200, plan.text
    proposed = [instant(p["starts_at"]).astimezone(PARIS).date() for p in plan.json()]
    # Mondays preferred: Easter Monday is closed, so the next Monday in the window.
    assert proposed[0] == EASTER_MONDAY + days(7)


async def test_a_move_or_a_shift_into_a_closure_is_refused_naming_it(clinic: Clinic) -> None:
    course = await clinic.course()
    first = await clinic.book_ok(course, local(MONDAY + days(1)))
    await clinic.book_ok(course, local(MONDAY + days(8)))
    closure = {
        "starts_at": local(MONDAY + days(10), 0),
        "ends_at": local(MONDAY + days(11), 0),
        "reason": "Inventory day",
    }
    created = (await clinic.post("/v1/closures", closure)).json()

    into = await clinic.post(
        f"/v1/sessions/{first['id']}/reschedule", {"starts_at": local(MONDAY + days(10))}
    )
    shifted = await clinic.post(
        f"/v1/sessions/{first['id']}/reschedule",
        {"starts_at": local(MONDAY + days(3)), "shift_following": True},
    )

    assert _problem(into, 422, "clinic-closed")["closure"]["id"] == created["id"]
    body = _problem(shifted, 422, "clinic-closed")
    assert body["closure"]["id"] == created["id"]
    assert [e["field"] for e in body["errors"]] == ["body.shift_following"]


async def test_a_booking_made_while_a_closure_is_recorded_is_refused_or_listed(
    clinic: Clinic,
) -> None:
    """The race: a closure has looked for sessions (none) but not yet written itself, and a
    booking inside it comes. The closure must hold the booking until it commits; else both
    are accepted and a session stands unflagged inside a closure. The test holds the closure
    just before it writes (a lock on its table), then lets the booking in."""
    course = await clinic.course()
    day = MONDAY + days(1)
    span = {"starts_at": local(day, 0), "ends_at": local(day + days(1), 0), "reason": "Shut"}
    db = clinic.app.state.runtime.db
    async with db.session() as holder, holder.begin():
        await holder.execute(sa.text("LOCK TABLE closures IN SHARE MODE"))
        closing = asyncio.create_task(clinic.post("/v1/closures", span))
        await eventually(lambda: _waiting(db), until=lambda n: n == 1)
        booking = asyncio.create_task(clinic.book(course, local(day)))
        await eventually(lambda: _settled(db, booking), until=bool)
    closure, booked = await closing, await booking

    assert (closure.status_code, booked.status_code) == (201, 422), (closure.text, booked.text)
    assert _problem(booked, 422, "clinic-closed")["closure"]["id"] == closure.json()["id"]


async def _waiting(db: Any) -> int:
    """How many of the test database's backends wait on a lock."""
    async with db.session() as probe:
        found = await probe.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        )
    return int(found or 0)


async def _settled(db: Any, booking: asyncio.Task[Any]) -> bool:
    """The booking answered already, or waits behind the closure."""
    return booking.done() or await _waiting(db) == 2
