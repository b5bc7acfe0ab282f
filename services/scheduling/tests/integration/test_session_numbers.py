"""A session's number is its rank among the course's booked, confirmed and completed sessions by
start; cancelled and missed sessions have none ("was N"), and "N of M" counts only the others."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from .conftest import ADMIN, MONDAY, PARIS, Clinic, days, local


async def _course(clinic: Clinic, course: str) -> dict[str, Any]:
    found = await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)
    assert found.status_code == 200, found.text
    return dict(found.json())


def _numbers(course: dict[str, Any]) -> list[tuple[int | None, int | None]]:
    return [(s["sequence"], s["was_sequence"]) for s in course["sessions"]]


async def test_a_cancelled_middle_session_loses_its_number_and_the_later_ones_close_up(
    clinic: Clinic,
) -> None:
    course = await clinic.course(sessions_planned=4)
    booked = [await clinic.book_ok(course, local(MONDAY + days(7 * i))) for i in range(4)]

    cancelled = await clinic.post(f"/v1/sessions/{booked[1]['id']}/cancel", {"reason": "ill"})

    assert (cancelled.json()["sequence"], cancelled.json()["was_sequence"]) == (None, 2)
    read = await _course(clinic, course)
    assert _numbers(read) == [(1, None), (None, 2), (2, None), (3, None)]
    assert (read["sessions_active"], read["sessions_planned"]) == (3, 4)
    listed = await clinic.client.get("/v1/sessions", params={"course_id": course}, headers=ADMIN)
    assert [s["sequence"] for s in listed.json()] == [1, None, 2, 3]

    refill = await clinic.book_ok(course, local(MONDAY + days(7), 15))
    assert refill["sequence"] == 2
    read = await _course(clinic, course)
    assert [s["sequence"] for s in read["sessions"] if s["sequence"]] == [1, 2, 3, 4]
    assert read["sessions_active"] == 4


async def test_a_missed_session_shows_no_number(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=3)
    first = await clinic.book_ok(course, local(MONDAY))
    await clinic.book_ok(course, local(MONDAY + days(7)))
    clinic.travel_to(datetime.combine(MONDAY, time(11), tzinfo=PARIS))

    missed = await clinic.post(f"/v1/sessions/{first['id']}/no-show", {}, headers=clinic.doctor)

    assert (missed.json()["sequence"], missed.json()["was_sequence"]) == (None, 1)
    read = await _course(clinic, course)
    assert _numbers(read) == [(None, 1), (1, None)]
    assert read["sessions_active"] == 1


async def test_ten_cancelled_first_sessions_are_not_ten_session_ones(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=2)
    for _ in range(10):
        booked = await clinic.book_ok(course, local(MONDAY))
        cancelled = await clinic.post(f"/v1/sessions/{booked['id']}/cancel", {})
        assert cancelled.status_code == 200, cancelled.text
    last = await clinic.book_ok(course, local(MONDAY))

    read = await _course(clinic, course)
    numbered = [s["id"] for s in read["sessions"] if s["sequence"] is not None]
    assert numbered == [last["id"]]
    assert [s["was_sequence"] for s in read["sessions"] if s["id"] != last["id"]] == [1] * 10
    assert read["sessions_active"] == 1
