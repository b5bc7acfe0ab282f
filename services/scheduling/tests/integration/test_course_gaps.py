"""Gaps: a cancelled or missed middle session can leave two sessions further apart than the
interval (7-15 days here). The course is flagged until the gap is filled or staff accept it; the
next window and the plan fill it first."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from clinic_shared.auth import Role
from clinic_shared.contracts import Envelope
from clinic_shared.tokens import mint_token
from clinic_testing.helpers import DEVELOPMENT_JWT_SECRET, eventually

from .conftest import ADMIN, MONDAY, PARIS, Clinic, days, instant, local


def nurse(clinic: Clinic) -> dict[str, str]:
    """The clinic's practitioner's token, with a subject the audit trail names."""
    token = mint_token(
        DEVELOPMENT_JWT_SECRET,
        role=Role.PRACTITIONER,
        subject="nurse-joy",
        practitioner_id=uuid.UUID(clinic.practitioner),
    )
    return {"Authorization": f"Bearer {token}"}


async def _course(clinic: Clinic, course: str) -> dict[str, Any]:
    found = await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)
    assert found.status_code == 200, found.text
    return dict(found.json())


async def _booked_on(clinic: Clinic, course: str, offsets: list[int]) -> list[dict[str, Any]]:
    return [await clinic.book_ok(course, local(MONDAY + days(d))) for d in offsets]


async def _events(clinic: Clinic, kind: str) -> list[Envelope]:
    return [e for e in clinic.events if e.type == kind]


def _day(text: str) -> str:
    return str(instant(text).astimezone(PARIS).date())


async def test_a_cancelled_middle_session_flags_the_course_and_the_plan_fills_the_gap_first(
    clinic: Clinic,
) -> None:
    course = await clinic.course(sessions_planned=4)
    first, middle, third, _ = await _booked_on(clinic, course, [0, 10, 19, 29])
    assert (await _course(clinic, course))["interval_broken"] is False

    await clinic.post(f"/v1/sessions/{middle['id']}/cancel", {})

    read = await _course(clinic, course)
    assert read["interval_broken"] is True
    assert read["gaps"] == [
        {
            "previous_session_id": first["id"],
            "next_session_id": third["id"],
            "days": 19,
            "accepted_by": None,
            "accepted_at": None,
        }
    ]
    # Between day 0 and day 19: at least 7 days after the first and before the next.
    assert read["next_window"] == {
        "earliest": str(MONDAY + days(7)),
        "latest": str(MONDAY + days(12)),
    }
    plan = await clinic.post(f"/v1/courses/{course}/plan", {"time_of_day": "10:00"})
    assert plan.status_code == 200, plan.text
    [proposal] = plan.json()
    assert _day(proposal["starts_at"]) == str(MONDAY + days(7))
    assert proposal["sequence"] == 2

    starts = [{"starts_at": proposal["starts_at"], "room_id": proposal["room_id"]}]
    booked = await clinic.post(f"/v1/courses/{course}/book-plan", {"sessions": starts})
    assert booked.status_code == 201, booked.text
    filled = await _course(clinic, course)
    assert (filled["interval_broken"], filled["gaps"], filled["next_window"]) == (False, [], None)


async def test_a_gap_of_two_intervals_is_planned_with_as_few_sessions_as_it_needs(
    clinic: Clinic,
) -> None:
    course = await clinic.course(sessions_planned=4)
    booked = await _booked_on(clinic, course, [0, 14, 28, 40])
    for session in booked[1:3]:
        await clinic.post(f"/v1/sessions/{session['id']}/cancel", {})
    assert (await _course(clinic, course))["gaps"][0]["days"] == 40

    plan = await clinic.post(f"/v1/courses/{course}/plan", {"time_of_day": "10:00"})

    assert plan.status_code == 200, plan.text
    assert [_day(p["starts_at"]) for p in plan.json()] == [
        str(MONDAY + days(10)),  # leaves 30 days: one more session
        str(MONDAY + days(25)),  # 15 days on each side
    ]
    assert [p["sequence"] for p in plan.json()] == [2, 3]
    starts = [{"starts_at": p["starts_at"], "room_id": p["room_id"]} for p in plan.json()]
    assert (
        await clinic.post(f"/v1/courses/{course}/book-plan", {"sessions": starts})
    ).status_code == 201
    assert (await _course(clinic, course))["interval_broken"] is False


async def test_staff_accept_a_gap_and_it_is_recorded_with_who_and_when(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=4)
    first, middle, third, last = await _booked_on(clinic, course, [0, 10, 19, 29])
    no_gap = await clinic.post(f"/v1/courses/{course}/accept-gaps", {}, headers=nurse(clinic))
    assert no_gap.status_code == 409, no_gap.text
    await clinic.post(f"/v1/sessions/{middle['id']}/cancel", {})

    accepted = await clinic.post(f"/v1/courses/{course}/accept-gaps", {}, headers=nurse(clinic))

    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["interval_broken"] is False
    [gap] = accepted.json()["gaps"]
    assert gap["accepted_by"] == "nurse-joy"
    assert gap["accepted_at"] == "2030-03-04T07:00:00Z"  # the clinic's 08:00
    read = await _course(clinic, course)
    assert (read["interval_broken"], read["gaps"]) == (False, [gap])
    # Accepted: the next session is planned after the last one again.
    assert read["next_window"]["earliest"] == str(MONDAY + days(36))

    announced = await eventually(
        lambda: _events(clinic, "scheduling.course.gaps_accepted"), until=lambda found: found
    )
    assert [(e.data["accepted_by"], e.data["gaps"]) for e in announced] == [("nurse-joy", 1)]
    again = await clinic.post(f"/v1/courses/{course}/accept-gaps", {}, headers=nurse(clinic))
    assert again.json()["gaps"] == [gap]  # accepted once: the first acceptance stands

    # A new gap is flagged again, the accepted one stays accepted.
    await clinic.post(f"/v1/sessions/{third['id']}/cancel", {})
    widened = await _course(clinic, course)
    assert widened["interval_broken"] is True
    assert widened["gaps"][0]["accepted_by"] is None
    assert (widened["gaps"][0]["previous_session_id"], widened["gaps"][0]["next_session_id"]) == (
        first["id"],
        last["id"],
    )


async def test_a_missed_middle_session_flags_the_course(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=3)
    _, middle, _ = await _booked_on(clinic, course, [0, 10, 19])
    clinic.travel_to(datetime.combine(MONDAY + days(10), time(11), tzinfo=PARIS))

    missed = await clinic.post(f"/v1/sessions/{middle['id']}/no-show", {}, headers=clinic.doctor)

    assert missed.status_code == 200, missed.text
    read = await _course(clinic, course)
    assert read["interval_broken"] is True
    plan = await clinic.post(f"/v1/courses/{course}/plan", {})
    assert MONDAY + days(10) <= instant(plan.json()[0]["starts_at"]).date() <= MONDAY + days(12)


async def test_a_gap_that_cannot_be_filled_in_time_asks_staff_to_accept_it(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=3)
    _, middle, _ = await _booked_on(clinic, course, [0, 10, 19])
    clinic.travel_to(datetime.combine(MONDAY + days(10), time(11), tzinfo=PARIS))
    await clinic.post(f"/v1/sessions/{middle['id']}/no-show", {}, headers=clinic.doctor)
    clinic.travel_to(datetime.combine(MONDAY + days(13), time(8), tzinfo=PARIS))  # days 7-12 past

    refused = await clinic.post(f"/v1/courses/{course}/plan", {})

    assert refused.status_code == 422, refused.text
    assert refused.json()["gap"] is True
    assert "accept-gaps" in refused.json()["detail"]
    accepted = await clinic.post(f"/v1/courses/{course}/accept-gaps", {})
    assert accepted.status_code == 200, accepted.text
    after_accepting = await clinic.post(f"/v1/courses/{course}/plan", {})
    assert after_accepting.status_code == 200, after_accepting.text
    assert instant(after_accepting.json()[0]["starts_at"]).date() >= MONDAY + days(26)
