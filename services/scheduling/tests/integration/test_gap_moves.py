"""Moves in a course with a gap (a cancelled middle session): judged against the session's
neighbours and the interval bounds (7-15 days here). A session beside a gap may move so long
as the gap grows no wider; before, it could not move at all, with or without the later ones."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import ADMIN, MONDAY, Clinic, days, instant, local


async def _gapped(clinic: Clinic) -> tuple[str, list[dict[str, Any]]]:
    """Sessions on days 0, 9, 18 and 28 (Mon 4, Wed 13, Fri 22 March, Mon 1 April); the one on
    day 9 cancelled: an 18-day gap between the first and the third."""
    course = await clinic.course(sessions_planned=4)
    booked = [await clinic.book_ok(course, local(MONDAY + days(d))) for d in (0, 9, 18, 28)]
    cancelled = await clinic.post(f"/v1/sessions/{booked[1]['id']}/cancel", {})
    assert cancelled.status_code == 200, cancelled.text
    return course, booked


async def _move(
    clinic: Clinic, session: dict[str, Any], day: int, shift: bool = False
) -> httpx.Response:
    return await clinic.post(
        f"/v1/sessions/{session['id']}/reschedule",
        {"starts_at": local(MONDAY + days(day)), "shift_following": shift},
    )


async def _gaps(clinic: Clinic, course: str) -> list[int]:
    read = await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)
    assert read.status_code == 200, read.text
    assert read.json()["interval_broken"] is bool(read.json()["gaps"])
    return [gap["days"] for gap in read.json()["gaps"]]


async def test_the_session_before_a_gap_moves_alone_and_the_gap_narrows(clinic: Clinic) -> None:
    course, booked = await _gapped(clinic)

    moved = await _move(clinic, booked[0], 1)

    assert moved.status_code == 200, moved.text
    assert await _gaps(clinic, course) == [17]


async def test_the_session_before_a_gap_moves_with_the_later_ones_keeping_the_gap(
    clinic: Clinic,
) -> None:
    course, booked = await _gapped(clinic)

    moved = await _move(clinic, booked[0], 1, shift=True)

    assert moved.status_code == 200, moved.text
    shifted = [instant(s["starts_at"]) for s in moved.json()["shifted"]]
    assert shifted == [instant(local(MONDAY + days(d))) for d in (19, 29)]
    assert await _gaps(clinic, course) == [18]


async def test_the_session_after_a_gap_may_narrow_it_or_fill_it(clinic: Clinic) -> None:
    course, booked = await _gapped(clinic)

    narrowed = await _move(clinic, booked[2], 16)
    assert narrowed.status_code == 200, narrowed.text
    assert await _gaps(clinic, course) == [16]

    filled = await _move(clinic, booked[2], 15)
    assert filled.status_code == 200, filled.text
    assert await _gaps(clinic, course) == []


async def test_a_move_that_widens_a_gap_is_refused_naming_the_days_allowed(
    clinic: Clinic,
) -> None:
    course, booked = await _gapped(clinic)

    widened = await _move(clinic, booked[2], 21)  # 21 days after the first, 7 before the last

    assert widened.status_code == 422, widened.text
    body = widened.json()
    assert body["type"].endswith("/interval-violation")
    assert body["window"] == {"earliest": "2030-03-11", "latest": "2030-03-22"}  # days 7 to 18
    assert [e["field"] for e in body["errors"]] == ["body.starts_at"]
    assert await _gaps(clinic, course) == [18]


async def test_the_session_before_a_gap_moved_too_close_to_the_next_is_409(
    clinic: Clinic,
) -> None:
    _, booked = await _gapped(clinic)

    too_close = await _move(clinic, booked[0], 14)  # 4 days before the third session

    assert too_close.status_code == 409, too_close.text
    assert too_close.json()["next_session_id"] == booked[2]["id"]
    still = await clinic.client.get(f"/v1/sessions/{booked[0]['id']}", headers=ADMIN)
    assert instant(still.json()["starts_at"]) == instant(booked[0]["starts_at"])


async def test_the_move_window_of_sessions_beside_a_gap_lets_it_narrow(clinic: Clinic) -> None:
    _, booked = await _gapped(clinic)

    first = await clinic.client.get(f"/v1/sessions/{booked[0]['id']}/window", headers=ADMIN)
    third = await clinic.client.get(f"/v1/sessions/{booked[2]['id']}/window", headers=ADMIN)

    assert first.status_code == third.status_code == 200, (first.text, third.text)
    # The first session: from its own day (the gap no wider) to 7 days before the third.
    assert first.json()["alone"] == {"earliest": "2030-03-04", "latest": "2030-03-15"}
    assert first.json()["shift_following"] == {"earliest": None, "latest": None}
    # The third: 7 to 15 days before the last, and no further from the first than it is.
    assert third.json()["alone"] == {"earliest": "2030-03-17", "latest": "2030-03-22"}
    assert third.json()["shift_following"] == {"earliest": "2030-03-11", "latest": "2030-03-22"}
