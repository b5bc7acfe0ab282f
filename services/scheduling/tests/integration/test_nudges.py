"""The rebooking nudge: once per window, only when nothing is booked ahead."""

from __future__ import annotations

from datetime import datetime, time

from clinic_testing.helpers import eventually
from scheduling.entrypoints.workers import nudge_once

from .conftest import MONDAY, PARIS, Clinic, days, local


async def _scan(clinic: Clinic, day_offset: int) -> int:
    moment = datetime.combine(MONDAY + days(day_offset), time(9), tzinfo=PARIS)
    return await nudge_once(clinic.app.state.runtime, lead_days=3, now=moment)


async def test_nudge_once_when_the_window_is_about_to_close_with_nothing_booked(
    clinic: Clinic,
) -> None:
    course = await clinic.course(sessions_planned=3)
    first = await clinic.book_ok(course, local(MONDAY))
    clinic.travel_to(datetime.combine(MONDAY, time(11), tzinfo=PARIS))
    await clinic.post(f"/v1/sessions/{first['id']}/complete", {}, headers=clinic.doctor)

    assert await _scan(clinic, 11) == 0  # window closes on day 15: too early to nudge
    assert await _scan(clinic, 12) == 1
    assert await _scan(clinic, 13) == 0  # once per window, across scans and replicas
    assert await _scan(clinic, 16) == 0  # window closed

    async def nudges() -> list:
        return [e for e in clinic.events if e.type == "scheduling.course.rebooking_due"]

    [nudge] = await eventually(nudges, until=lambda found: len(found) == 1)
    assert nudge.data["course_id"] == course
    assert nudge.data["next_sequence"] == 2
    assert (nudge.data["window_opens_on"], nudge.data["window_closes_on"]) == (
        "2030-03-11",
        "2030-03-19",
    )


async def test_no_nudge_when_the_next_session_is_booked(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=3)
    await clinic.book_ok(course, local(MONDAY))
    await clinic.book_ok(course, local(MONDAY + days(14)))
    assert await _scan(clinic, 12) == 0
