"""Answers are in UTC everywhere: whatever offset a request used, and whatever zone the clock
is in (the clinic's, in these tests), every instant answered ends in `Z`."""

from __future__ import annotations

import re
from typing import Any

import httpx

from clinic_testing.helpers import eventually

from .conftest import ADMIN, MONDAY, Clinic, days, instant, local

INSTANT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T")


def _instants(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if INSTANT.match(value) else []
    if isinstance(value, dict):
        return [found for item in value.values() for found in _instants(item)]
    if isinstance(value, list):
        return [found for item in value for found in _instants(item)]
    return []


def _in_utc(response: httpx.Response, at_least: int = 1) -> list[str]:
    assert response.status_code < 300, response.text
    found = _instants(response.json())
    assert len(found) >= at_least, response.text
    assert [text for text in found if not text.endswith("Z")] == []
    return found


async def test_a_booking_is_answered_in_utc_whatever_offset_it_was_sent_with(
    clinic: Clinic,
) -> None:
    sent = local(MONDAY, 10)  # +01:00
    booked = await clinic.book(await clinic.course(), sent)

    _in_utc(booked, at_least=2)
    assert booked.json()["starts_at"] == "2030-03-04T09:00:00Z"
    assert booked.json()["ends_at"] == "2030-03-04T09:30:00Z"
    _in_utc(await clinic.client.get(f"/v1/sessions/{booked.json()['id']}", headers=ADMIN))
    _in_utc(await clinic.client.get("/v1/sessions", headers=ADMIN))
    [event] = await eventually(lambda: _booked(clinic))
    assert instant(event.data["starts_at"]) == instant(sent)
    assert str(event.data["starts_at"]).endswith(("Z", "+00:00"))


async def _booked(clinic: Clinic) -> list[Any]:
    return [e for e in clinic.events if e.type == "scheduling.session.booked"]


async def test_a_reschedule_and_the_sessions_it_shifts_are_answered_in_utc(
    clinic: Clinic,
) -> None:
    course = await clinic.course()
    first = await clinic.book_ok(course, local(MONDAY))
    await clinic.book_ok(course, local(MONDAY + days(7)))
    moved = await clinic.post(
        f"/v1/sessions/{first['id']}/reschedule",
        {"starts_at": "2030-03-05T11:00:00+02:00", "shift_following": True},
    )

    found = _in_utc(moved, at_least=4)
    assert moved.json()["starts_at"] == "2030-03-05T09:00:00Z"
    assert len(moved.json()["shifted"]) == 1
    assert len(found) == 4


async def test_a_plan_and_its_booking_are_answered_in_utc(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=3)
    plan = await clinic.post(f"/v1/courses/{course}/plan", {"time_of_day": "10:00"})
    _in_utc(plan, at_least=6)
    assert plan.json()[0]["starts_at"] == "2030-03-04T09:00:00Z"  # 10:00 in Paris

    starts = [
        {"starts_at": local(MONDAY + days(7 * i)), "room_id": clinic.rooms[0]} for i in range(3)
    ]
    _in_utc(await clinic.post(f"/v1/courses/{course}/book-plan", {"sessions": starts}), 6)
    _in_utc(await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN), 7)


async def test_courses_patients_time_off_and_outcomes_are_answered_in_utc(
    clinic: Clinic,
) -> None:
    made = await clinic.post(
        "/v1/courses",
        {
            "patient_id": clinic.patient,
            "treatment_code": "cellulite-arms",
            "practitioner_id": clinic.practitioner,
        },
    )
    _in_utc(made)  # created_at: the clock here is in the clinic's zone
    _in_utc(await clinic.client.get(f"/v1/patients/{clinic.patient}", headers=ADMIN))
    _in_utc(
        await clinic.post(
            "/v1/patients",
            {
                "first_name": "Ada",
                "last_name": "L",
                "email": "ada@example.com",
                "preferred_channel": "email",
            },
        )
    )
    away = await clinic.post(
        f"/v1/practitioners/{clinic.practitioner}/time-off",
        {"starts_at": local(MONDAY, 12), "ends_at": local(MONDAY, 14), "reason": "training"},
    )
    _in_utc(away, at_least=2)
    assert away.json()["starts_at"] == "2030-03-04T11:00:00Z"

    session = await clinic.book_ok(made.json()["id"], local(MONDAY, 10))
    _in_utc(await clinic.post(f"/v1/sessions/{session['id']}/cancel", {"reason": "ill"}))
    other = await clinic.book_ok(made.json()["id"], local(MONDAY, 15))
    clinic.travel_to(instant(local(MONDAY, 16)))
    done = await clinic.post(
        f"/v1/sessions/{other['id']}/complete", {"products_used": []}, headers=clinic.doctor
    )
    _in_utc(done, at_least=2)


async def test_time_off_listed_missed_sessions_gaps_and_abandoned_courses_are_in_utc(
    clinic: Clinic,
) -> None:
    away = {"starts_at": local(MONDAY + days(1), 12), "ends_at": local(MONDAY + days(1), 14)}
    await clinic.post(f"/v1/practitioners/{clinic.practitioner}/time-off", away)
    window = {"from": local(MONDAY), "to": local(MONDAY + days(7))}
    listed = await clinic.client.get("/v1/time-off", params=window, headers=ADMIN)
    assert listed.json()[0]["starts_at"] == "2030-03-05T11:00:00Z"
    _in_utc(listed, at_least=2)

    course = await clinic.course(sessions_planned=3)
    sessions = [await clinic.book_ok(course, local(MONDAY + days(d))) for d in (0, 10, 19)]
    clinic.travel_to(instant(local(MONDAY + days(10), 11)))
    _in_utc(
        await clinic.post(f"/v1/sessions/{sessions[1]['id']}/no-show", {}, headers=clinic.doctor), 2
    )
    accepted = await clinic.post(f"/v1/courses/{course}/accept-gaps", {}, headers=clinic.doctor)
    assert accepted.json()["gaps"][0]["accepted_at"] == "2030-03-14T10:00:00Z"
    _in_utc(accepted, at_least=8)
    _in_utc(await clinic.post(f"/v1/courses/{course}/abandon", {}), at_least=7)
