"""The calendar's data endpoints over the running services: what the grid is given, who may ask,
and bad input answered as problem+json naming the field."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer, holiday_free_monday

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]
PARIS = ZoneInfo("Europe/Paris")
AMELIA = "00000000-0000-4000-8000-000000000001"
CHLOE = "00000000-0000-4000-8000-000000000002"
DR_DUBOIS = "00000000-0000-4000-8000-0000000000a1"
SAM_PATEL = "00000000-0000-4000-8000-0000000000a2"
ROOM_1 = "00000000-0000-4000-8000-0000000000b1"
# Free at 10:00 every day: the demo's only 10:00 sessions are Amelia's, weekly from the day after
# the seed in Room 1 (seeded on a Tuesday, they fall on Wednesdays).
ROOM_2 = "00000000-0000-4000-8000-0000000000b2"
PROBLEM = "application/problem+json"


def next_monday() -> date:
    """A coming Monday with no public holiday in its week or the next three: the clinic is
    closed on those, and a session booked on one is refused."""
    return holiday_free_monday(datetime.now(PARIS).date())


def week_of(monday: date, by: str = "practitioner") -> dict[str, str]:
    return {"start": monday.isoformat(), "end": (monday + timedelta(days=7)).isoformat(), "by": by}


def problem_fields(answer: httpx.Response, status: int) -> list[str]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    return [str(e["field"]) for e in answer.json().get("errors", [])]


def blocks(data: dict[str, Any], kind: str, resource: str) -> list[tuple[str, str, str]]:
    return sorted(
        (e["start"], e["end"], e["extendedProps"]["reason"])
        for e in data["events"]
        if f"cal-{kind}" in e["classNames"] and e["resourceIds"] == [resource]
    )


async def test_the_week_by_practitioner_shows_hours_time_off_and_sessions(clinic: Clinic) -> None:
    monday = next_monday()
    away = {
        "starts_at": datetime.combine(monday, time(14), PARIS).isoformat(),
        "ends_at": datetime.combine(monday, time(18), PARIS).isoformat(),
        "reason": "Training",
    }
    added = await clinic.api("scheduling").post(
        f"/v1/practitioners/{SAM_PATEL}/time-off", json=away, headers=bearer(Role.ADMIN)
    )
    assert added.status_code == 201, added.text
    await clinic.sign_in_as(Role.PRACTITIONER)

    answer = await clinic.client.get("/calendar/api/events", params=week_of(monday))

    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert [r["title"] for r in data["resources"]] == ["Dr Claire Dubois", "Sam Patel"]
    day = monday.isoformat()
    assert [b for b in blocks(data, "open", SAM_PATEL) if b[0].startswith(day)] == [
        (f"{day}T09:00", f"{day}T18:00", "Free")
    ]
    assert blocks(data, "away", SAM_PATEL) == [(f"{day}T14:00", f"{day}T18:00", "Away: Training")]
    saturday = (monday + timedelta(days=5)).isoformat()
    assert (f"{saturday}T08:00", f"{saturday}T20:00", "Not working this day") in blocks(
        data, "closed", DR_DUBOIS
    )
    sessions = [e for e in data["events"] if "cal-session" in e["classNames"]]
    assert sessions, "Amelia's course has a session every week"
    assert all(s["title"].startswith("Amelia Hart · ") for s in sessions)
    assert all(s["resourceIds"] == [DR_DUBOIS] for s in sessions)
    assert not any(s["editable"] for s in sessions), "a practitioner does not move sessions"


async def test_a_closure_of_the_clinic_shows_over_every_column(clinic: Clinic) -> None:
    monday = next_monday()
    sunday = monday + timedelta(days=6)  # no session then: the closure needs no force
    closure = {
        "starts_at": datetime.combine(sunday, time(10), PARIS).isoformat(),
        "ends_at": datetime.combine(sunday, time(16), PARIS).isoformat(),
        "reason": "Deep clean",
    }
    added = await clinic.api("scheduling").post(
        "/v1/closures", json=closure, headers=bearer(Role.ADMIN)
    )
    assert added.status_code == 201, added.text
    await clinic.sign_in_as(Role.RECEPTIONIST)

    for by, columns in (("practitioner", [DR_DUBOIS, SAM_PATEL]), ("room", [ROOM_1])):
        answer = await clinic.client.get("/calendar/api/events", params=week_of(monday, by))

        assert answer.status_code == 200, answer.text
        day = sunday.isoformat()
        for column in columns:
            assert blocks(answer.json(), "away", column) == [
                (f"{day}T10:00", f"{day}T16:00", "Clinic closed: Deep clean")
            ]


async def test_a_session_under_a_forced_closure_is_flagged_in_the_agenda_and_calendar(
    clinic: Clinic,
) -> None:
    monday = next_monday()
    week = {
        "from": datetime.combine(monday, time(), PARIS).isoformat(),
        "to": datetime.combine(monday + timedelta(days=7), time(), PARIS).isoformat(),
    }
    scheduling, admin = clinic.api("scheduling"), bearer(Role.ADMIN)
    session = (await scheduling.get("/v1/sessions", params=week, headers=admin)).json()[0]
    closure = {
        "starts_at": session["starts_at"],
        "ends_at": session["ends_at"],
        "reason": "Power cut",
        "force": True,
    }
    assert (await scheduling.post("/v1/closures", json=closure, headers=admin)).status_code == 201
    await clinic.sign_in_as(Role.RECEPTIONIST)
    day = datetime.fromisoformat(session["starts_at"]).astimezone(PARIS).date()

    agenda = await clinic.client.get(
        "/agenda/sessions", params={"day": day.isoformat()}, headers={"HX-Request": "true"}
    )
    events = await clinic.client.get("/calendar/api/events", params=week_of(monday))

    assert agenda.status_code == 200, agenda.text
    assert "⚠ inside a closure of the clinic: Power cut" in agenda.text
    titles = [e["title"] for e in events.json()["events"] if e.get("id") == session["id"]]
    assert titles == [titles[0]]
    assert titles[0].endswith(" · ⚠ inside a closure of the clinic: Power cut")


async def test_the_week_by_room_shows_the_clinic_closed_at_the_weekend(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)
    monday = next_monday()

    answer = await clinic.client.get("/calendar/api/events", params=week_of(monday, "room"))

    data = answer.json()
    assert [r["title"] for r in data["resources"]] == ["Room 1", "Room 2"]
    sunday = (monday + timedelta(days=6)).isoformat()
    closed = blocks(data, "closed", ROOM_1)
    assert (f"{sunday}T08:00", f"{sunday}T20:00", "Clinic closed: nobody works this day") in closed
    booked = [e for e in data["events"] if "cal-booked" in e["classNames"]]
    assert booked, "Amelia's course has a session every week"
    assert all(e["editable"] for e in booked), "the front desk may drag them"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2030-03-11", "end": "2030-03-04"}, "query.end"),
        ({"start": "2030-03-04", "end": "2030-06-04"}, "query.end"),
        ({"start": "next week", "end": "2030-03-04"}, "query.start"),
        ({"end": "2030-03-04"}, "query.start"),
        ({"start": "2030-03-04", "end": "2030-03-11", "by": "nurse"}, "query.by"),
    ],
)
async def test_a_bad_range_is_a_problem_naming_the_field(
    clinic: Clinic, params: dict[str, str], field: str
) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)
    answer = await clinic.client.get("/calendar/api/events", params=params)
    assert problem_fields(answer, 422) == [field]


async def test_signed_out_the_data_is_a_401_problem_not_a_redirect(clinic: Clinic) -> None:
    answer = await clinic.client.get("/calendar/api/events", params=week_of(next_monday()))
    assert problem_fields(answer, 401) == []


async def test_only_the_front_desk_books_and_moves(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.PRACTITIONER)
    booking = {"course_id": DR_DUBOIS, "starts_at": "2030-03-04T10:00", "room_id": ROOM_1}
    answer = await clinic.client.post(
        "/calendar/api/book", json=booking, headers={"X-CSRF-Token": csrf}
    )
    assert problem_fields(answer, 403) == []
    assert answer.json()["detail"] == "Your role does not give access to this page."


async def test_a_move_without_the_csrf_token_is_refused(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)
    session = "00000000-0000-4000-8000-000000000099"
    move = {"starts_at": "2030-03-04T10:00"}
    answer = await clinic.client.post(f"/calendar/api/sessions/{session}/move", json=move)
    assert problem_fields(answer, 403) == []


async def chloes_course(clinic: Clinic) -> str:
    """A new course of Chloé's with Sam Patel, nothing booked yet."""
    course = {
        "patient_id": CHLOE,
        "treatment_code": "cellulite-thighs",
        "practitioner_id": SAM_PATEL,
        "sessions_planned": 6,
    }
    answer = await clinic.api("scheduling").post(
        "/v1/courses", json=course, headers=bearer(Role.RECEPTIONIST)
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_booking_in_the_past_says_so_and_books_nothing(clinic: Clinic) -> None:
    course_id = await chloes_course(clinic)
    csrf = await clinic.sign_in_as(Role.RECEPTIONIST)
    courses = await clinic.client.get("/calendar/api/courses", params={"q": "Martin"})
    assert courses.json() == [
        {"id": course_id, "label": "Chloé Martin: Cellulite mesotherapy: thighs, session 1 of 6"}
    ]
    yesterday = datetime.now(PARIS) - timedelta(days=1)
    booking = {
        "course_id": course_id,
        "starts_at": yesterday.strftime("%Y-%m-%dT10:00"),
        "room_id": ROOM_1,
    }
    answer = await clinic.client.post(
        "/calendar/api/book", json=booking, headers={"X-CSRF-Token": csrf}
    )
    assert problem_fields(answer, 422) == ["body.starts_at"]
    assert answer.json()["detail"] == "That time is in the past. Choose a later one."
    course = await clinic.api("scheduling").get(
        f"/v1/courses/{course_id}", headers=bearer(Role.RECEPTIONIST)
    )
    assert course.json()["sessions"] == []

    unknown = booking | {"starts_at": "2031-01-01T10:00", "room_id": "Room 1"}
    answer = await clinic.client.post(
        "/calendar/api/book", json=unknown, headers={"X-CSRF-Token": csrf}
    )
    assert problem_fields(answer, 422) == ["body.room_id"]


async def test_a_course_fully_booked_offers_no_day(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)
    assert (await clinic.client.get("/calendar/api/courses", params={"q": "Hart"})).json() == []
    listed = await clinic.api("scheduling").get(
        "/v1/courses", params={"patient_id": AMELIA}, headers=bearer(Role.RECEPTIONIST)
    )
    (amelias,) = listed.json()
    days = await clinic.client.get(
        f"/calendar/api/courses/{amelias['id']}/days", params=week_of(next_monday())
    )
    assert problem_fields(days, 422) == []
    assert days.json()["detail"] == "This course has no session left to book."


async def test_the_days_of_a_course_say_why_each_is_closed(clinic: Clinic) -> None:
    course_id = await chloes_course(clinic)
    monday = next_monday()
    first = datetime.combine(monday + timedelta(days=2), time(10), PARIS)  # a Wednesday
    booked = await clinic.api("scheduling").post(
        "/v1/sessions",
        json={"course_id": course_id, "starts_at": first.isoformat(), "room_id": ROOM_2},
        headers=bearer(Role.RECEPTIONIST),
    )
    assert booked.status_code == 201, booked.text
    await clinic.sign_in_as(Role.ADMIN)

    following = monday + timedelta(days=7)
    answer = await clinic.client.get(
        f"/calendar/api/courses/{course_id}/days", params=week_of(following)
    )

    assert answer.status_code == 200, answer.text
    refusals = [d["refusal"] for d in answer.json()["days"]]
    too_soon = f"Too soon: session 2 comes at least 7 days after the last one ({first:%a %d %b})."
    assert refusals == [
        too_soon,
        too_soon,
        "",
        "",
        "",
        *["Sam Patel does not work on Saturdays.", "Sam Patel does not work on Sundays."],
    ]
