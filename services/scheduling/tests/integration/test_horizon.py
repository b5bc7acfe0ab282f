"""Dates have a horizon: nothing before 1970 or past two years ahead (SCHEDULING_HORIZON_DAYS),
refused with a 422 naming the field; no date anywhere is a 500."""

from __future__ import annotations

from datetime import datetime, time

import httpx
import pytest

from clinic_testing.helpers import running
from scheduling.bootstrap import build_app
from scheduling.settings import SchedulingSettings

from .conftest import ADMIN, MONDAY, PARIS, Clinic, days, instant, local

# Year 9999 and year 1, with offsets that put them past what a UTC datetime can hold.
FAR_INSTANTS = [
    "9999-12-31T23:00:00-05:00",
    "9999-06-01T10:00:00+02:00",
    "0001-01-01T00:30:00+01:00",
    "0001-06-01T10:00:00Z",
    "1969-12-31T23:59:59Z",
]
FAR_DAYS = ["9999-12-31", "0001-01-01", "1969-12-31"]
HORIZON_END = MONDAY + days(730)  # the tests' today plus two years


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["horizon"]["earliest"].startswith("1970-01-01")


async def _nothing_booked(clinic: Clinic) -> None:
    listed = await clinic.client.get("/v1/sessions", headers=ADMIN)
    assert listed.json() == []


@pytest.mark.parametrize("when", FAR_INSTANTS)
async def test_a_booking_in_year_9999_or_0001_is_a_422_naming_starts_at(
    clinic: Clinic, when: str
) -> None:
    _refused(await clinic.book(await clinic.course(), when), "body.starts_at")
    await _nothing_booked(clinic)


@pytest.mark.parametrize("when", FAR_INSTANTS)
async def test_book_plan_names_the_start_past_the_horizon(clinic: Clinic, when: str) -> None:
    course = await clinic.course()
    starts = [
        {"starts_at": local(MONDAY), "room_id": clinic.rooms[0]},
        {"starts_at": when, "room_id": clinic.rooms[0]},
    ]
    refused = await clinic.post(f"/v1/courses/{course}/book-plan", {"sessions": starts})
    _refused(refused, "body.sessions[1].starts_at")
    await _nothing_booked(clinic)


@pytest.mark.parametrize("when", FAR_INSTANTS)
async def test_a_session_moved_to_year_9999_or_0001_is_a_422_and_stays(
    clinic: Clinic, when: str
) -> None:
    session = await clinic.book_ok(await clinic.course(), local(MONDAY))
    alone = await clinic.post(f"/v1/sessions/{session['id']}/reschedule", {"starts_at": when})
    shifting = await clinic.post(
        f"/v1/sessions/{session['id']}/reschedule", {"starts_at": when, "shift_following": True}
    )
    _refused(alone, "body.starts_at")
    _refused(shifting, "body.starts_at")
    unmoved = await clinic.client.get(f"/v1/sessions/{session['id']}", headers=ADMIN)
    assert instant(unmoved.json()["starts_at"]) == instant(session["starts_at"])


@pytest.mark.parametrize("day", FAR_DAYS)
async def test_a_plan_from_year_9999_or_0001_is_a_422_naming_first_date(
    clinic: Clinic, day: str
) -> None:
    course = await clinic.course()
    refused = await clinic.post(f"/v1/courses/{course}/plan", {"first_date": day})
    _refused(refused, "body.first_date")


@pytest.mark.parametrize("when", FAR_INSTANTS)
async def test_time_off_in_year_9999_or_0001_is_a_422_naming_the_field(
    clinic: Clinic, when: str
) -> None:
    path = f"/v1/practitioners/{clinic.practitioner}/time-off"
    if when.startswith("9999"):
        body = {"starts_at": local(MONDAY), "ends_at": when}
        field = "body.ends_at"
    else:
        body = {"starts_at": when, "ends_at": local(MONDAY)}
        field = "body.starts_at"
    _refused(await clinic.post(path, body), field)
    # Nothing recorded: the day is still free to book.
    assert (await clinic.book(await clinic.course(), local(MONDAY, 10))).status_code == 201


@pytest.mark.parametrize("when", FAR_INSTANTS)
@pytest.mark.parametrize("bound", ["from", "to"])
async def test_an_agenda_filtered_by_year_9999_or_0001_is_a_422_naming_the_filter(
    clinic: Clinic, when: str, bound: str
) -> None:
    listed = await clinic.client.get("/v1/sessions", params={bound: when}, headers=ADMIN)
    _refused(listed, f"query.{bound}")


async def test_the_horizon_is_two_years_ahead_to_the_minute(clinic: Clinic) -> None:
    # The clinic's now is 08:00 on MONDAY: the horizon ends at 08:00 two years later.
    edge = local(HORIZON_END, 8)
    within = await clinic.book_ok(await clinic.course(), local(HORIZON_END - days(1), 10))
    other = await clinic.course(patient=await clinic.new_patient())  # one active course per area
    beyond = await clinic.book(other, local(HORIZON_END, 10))

    _refused(beyond, "body.starts_at")
    assert beyond.json()["horizon"]["latest"].startswith(str(HORIZON_END))
    to_the_edge = await clinic.client.get(
        "/v1/sessions", params={"from": local(MONDAY), "to": edge}, headers=ADMIN
    )
    assert [s["id"] for s in to_the_edge.json()] == [within["id"]]
    a_minute_on = {"from": local(MONDAY), "to": local(HORIZON_END, 8, 1)}
    _refused(await clinic.client.get("/v1/sessions", params=a_minute_on, headers=ADMIN), "query.to")
    away = f"/v1/practitioners/{clinic.practitioner}/time-off"
    # Over the session booked above: recorded only with force (it is flagged for staff).
    whole = {"starts_at": "1970-01-01T00:00:00Z", "ends_at": edge, "force": True}
    since_1970 = await clinic.post(away, whole)
    assert since_1970.status_code == 201, since_1970.text


async def test_shifting_later_sessions_past_the_horizon_names_shift_following(
    clinic: Clinic,
) -> None:
    course = await clinic.course()
    first = await clinic.book_ok(course, local(HORIZON_END - days(20)))
    second = await clinic.book_ok(course, local(HORIZON_END - days(6)))

    refused = await clinic.post(
        f"/v1/sessions/{first['id']}/reschedule",
        {"starts_at": local(HORIZON_END - days(14)), "shift_following": True},
    )

    _refused(refused, "body.shift_following")
    assert refused.json()["session_id"] == second["id"]


async def test_a_plan_proposes_nothing_past_the_horizon(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=3)
    near_the_end = str(HORIZON_END - days(3))  # a Sunday; the Monday after is the last fit

    refused = await clinic.post(f"/v1/courses/{course}/plan", {"first_date": near_the_end})

    assert refused.status_code == 422, refused.text
    assert refused.json()["sequence"] == 2
    assert str(HORIZON_END) in refused.json()["detail"]


async def test_a_plan_from_a_past_day_starts_today(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=2)
    plan = await clinic.post(f"/v1/courses/{course}/plan", {"first_date": "1970-01-01"})
    assert plan.status_code == 200, plan.text
    assert plan.json()[0]["starts_at"].startswith(str(MONDAY))


async def test_the_horizon_is_set_by_scheduling_horizon_days(
    make_settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHEDULING_HORIZON_DAYS", "30")
    app = build_app(await make_settings(SchedulingSettings))
    app.state.runtime.clock = lambda: datetime.combine(MONDAY, time(8), tzinfo=PARIS)
    async with running(app) as client:
        beyond = await client.get(
            "/v1/sessions", params={"to": local(MONDAY + days(30), 8, 1)}, headers=ADMIN
        )
        within = await client.get(
            "/v1/sessions", params={"to": local(MONDAY + days(30), 8)}, headers=ADMIN
        )
    _refused(beyond, "query.to")
    assert beyond.json()["horizon"]["latest"].startswith(str(MONDAY + days(30)))
    assert within.status_code == 200, within.text


async def test_time_off_ending_before_it_starts_names_ends_at(clinic: Clinic) -> None:
    path = f"/v1/practitioners/{clinic.practitioner}/time-off"
    backwards = {"starts_at": local(MONDAY, 14), "ends_at": local(MONDAY, 12)}
    refused = await clinic.post(path, backwards)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["body.ends_at"]
    # A start in year 9999 is named as such, not as coming after the end.
    far_start = {"starts_at": "9999-12-31T23:00:00-05:00", "ends_at": local(MONDAY, 12)}
    _refused(await clinic.post(path, far_start), "body.starts_at")
