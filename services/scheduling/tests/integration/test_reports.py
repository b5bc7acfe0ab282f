"""The reports' figures on a small known month: utilisation, attendance, course adherence.

Dr Dubois works Monday to Saturday, 09:00-18:00: 24 days and 12,960 minutes in March 2030 from
the 4th. Three courses of 30-minute sessions:
- Amelia's, 3 sessions a week apart, all completed: the course is completed;
- Zoe's, 5 March completed, 12 March missed, 26 March booked: 21 days from the 5th, out of
  the treatment's 7-15;
- Yan's, one session on 6 March, cancelled, then the course abandoned.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import httpx
import pytest

from .conftest import ADMIN, DESK, PARIS, Clinic, local

MARCH = {"from": "2030-03-04", "to": "2030-03-31"}


def _at(day: int, hour: int = 10, minute: int = 20) -> datetime:
    return datetime.combine(date(2030, 3, day), time(hour, minute), tzinfo=PARIS)


async def _month(clinic: Clinic) -> None:
    amelia = await clinic.course(sessions_planned=3)
    zoe = await clinic.course(sessions_planned=3, patient=await clinic.new_patient("Zoe"))
    yan = await clinic.course(sessions_planned=2, patient=await clinic.new_patient("Yan"))
    a = [await clinic.book_ok(amelia, local(date(2030, 3, d))) for d in (4, 11, 18)]
    z = [await clinic.book_ok(zoe, local(date(2030, 3, d)), room=1) for d in (5, 12, 26)]
    y = await clinic.book_ok(yan, local(date(2030, 3, 6)))
    assert (await clinic.post(f"/v1/sessions/{y['id']}/cancel", {})).status_code == 200
    assert (await clinic.post(f"/v1/courses/{yan}/abandon", {})).status_code == 200
    for day, session, outcome in [
        (4, a[0], "complete"),
        (5, z[0], "complete"),
        (11, a[1], "complete"),
        (12, z[1], "no-show"),
        (18, a[2], "complete"),
    ]:
        clinic.travel_to(_at(day))
        done = await clinic.post(f"/v1/sessions/{session['id']}/{outcome}", {}, clinic.doctor)
        assert done.status_code == 200, done.text


async def _report(
    clinic: Clinic, name: str, params: dict[str, str], headers: dict[str, str] = DESK
) -> httpx.Response:
    return await clinic.client.get(f"/v1/reports/{name}", params=params, headers=headers)


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def test_utilisation_is_booked_time_over_working_hours(clinic: Clinic) -> None:
    await _month(clinic)

    found = _ok(await _report(clinic, "utilisation", MARCH))

    # six sessions held their slot (the missed one too), the cancelled one freed it
    [dubois] = found["practitioners"]
    assert (dubois["name"], dubois["available_minutes"], dubois["booked_minutes"]) == (
        "Dr Dubois",
        12960,
        180,
    )
    assert dubois["utilisation"] == 0.0139
    rooms = [(r["name"], r["booked_minutes"], r["utilisation"]) for r in found["rooms"]]
    assert rooms == [("Room 1", 90, 0.0069), ("Room 2", 90, 0.0069)]


async def test_time_off_within_working_hours_is_not_available(clinic: Clinic) -> None:
    await _month(clinic)
    path = f"/v1/practitioners/{clinic.practitioner}/time-off"
    for away in [
        (local(date(2030, 3, 29), 9), local(date(2030, 3, 29), 18)),  # a working day
        (local(date(2030, 3, 28), 17), local(date(2030, 3, 28), 20)),  # its last hour only
    ]:
        body = {"starts_at": away[0], "ends_at": away[1], "reason": "Training"}
        assert (await clinic.post(path, body, headers=ADMIN)).status_code == 201

    [dubois] = _ok(await _report(clinic, "utilisation", MARCH))["practitioners"]

    assert (dubois["available_minutes"], dubois["utilisation"]) == (12960 - 540 - 60, 0.0146)


async def test_attendance_counts_no_shows_and_cancellations(clinic: Clinic) -> None:
    await _month(clinic)

    [dubois] = _ok(await _report(clinic, "attendance", MARCH, ADMIN))

    assert {k: dubois[k] for k in ("sessions", "completed", "no_shows", "cancelled")} == {
        "sessions": 7,
        "completed": 4,
        "no_shows": 1,
        "cancelled": 1,
    }
    assert (dubois["no_show_rate"], dubois["cancellation_rate"]) == (0.1429, 0.1429)


async def test_adherence_counts_intervals_within_bounds_and_ended_courses(clinic: Clinic) -> None:
    await _month(clinic)

    [dubois] = _ok(await _report(clinic, "adherence", MARCH))

    # Amelia's two 7-day intervals are within 7-15; Zoe's 26 March comes 21 days after the 5th
    assert (dubois["intervals"], dubois["within"], dubois["within_rate"]) == (3, 2, 0.6667)
    assert (dubois["completed"], dubois["abandoned"]) == (1, 1)


async def test_a_course_still_going_after_the_span_has_not_ended_in_it(clinic: Clinic) -> None:
    await _month(clinic)

    [dubois] = _ok(await _report(clinic, "adherence", {"from": "2030-03-04", "to": "2030-03-17"}))

    assert (dubois["intervals"], dubois["within"]) == (1, 1)  # Amelia's 11 March
    assert (dubois["completed"], dubois["abandoned"]) == (0, 1)  # Amelia's ends on the 18th


async def test_an_empty_span_has_hours_but_no_sessions(clinic: Clinic) -> None:
    await _month(clinic)
    may = {"from": "2030-05-06", "to": "2030-05-06"}

    utilisation = _ok(await _report(clinic, "utilisation", may))

    [dubois] = utilisation["practitioners"]
    assert (dubois["available_minutes"], dubois["booked_minutes"], dubois["utilisation"]) == (
        540,
        0,
        0.0,
    )
    assert _ok(await _report(clinic, "attendance", may)) == []
    assert _ok(await _report(clinic, "adherence", may)) == []


async def test_a_practitioner_filter_leaves_out_the_others(clinic: Clinic) -> None:
    await _month(clinic)
    roux = await clinic.client.post("/v1/practitioners", json={"name": "Dr Roux"}, headers=ADMIN)
    only_roux = MARCH | {"practitioner_id": roux.json()["id"]}

    utilisation = _ok(await _report(clinic, "utilisation", only_roux))

    assert utilisation["practitioners"] == []  # no hours, no sessions
    assert [r["booked_minutes"] for r in utilisation["rooms"]] == [0, 0]
    assert _ok(await _report(clinic, "attendance", only_roux)) == []
    assert _ok(await _report(clinic, "adherence", only_roux)) == []


@pytest.mark.parametrize("name", ["utilisation", "attendance", "adherence"])
@pytest.mark.parametrize(
    ("span", "field"),
    [
        ({"from": "2030-03-04", "to": "9999-12-31"}, "query.to"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "query.from"),
        ({"from": "2030-03-10", "to": "2030-03-04"}, "query.to"),
        ({"from": "2029-01-01", "to": "2030-03-04"}, "query.to"),
    ],
)
async def test_a_span_past_the_horizon_backwards_or_over_a_year_is_a_422_naming_it(
    clinic: Clinic, name: str, span: dict[str, str], field: str
) -> None:
    refused = await _report(clinic, name, span)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == [field]
