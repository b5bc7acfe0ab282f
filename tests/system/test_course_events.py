"""A ten-session course booked, session 4 moved with the rest: the events arrive in order."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic_testing.helpers import bearer, eventually

from .conftest import Stack

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]
PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2030, 3, 4)
DESK, ADMIN = bearer("receptionist"), bearer("admin")


async def test_shift_following_emits_one_rescheduled_event_per_session_in_order(
    stack: Stack,
) -> None:
    scheduling = stack.clients["scheduling"]
    stack.apps["scheduling"].state.runtime.clock = lambda: datetime.combine(
        MONDAY, time(8), tzinfo=PARIS
    )
    practitioner = (
        await scheduling.post("/v1/practitioners", json={"name": "Dr A"}, headers=ADMIN)
    ).json()["id"]
    await scheduling.put(
        f"/v1/practitioners/{practitioner}/hours",
        json=[{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)],
        headers=ADMIN,
    )
    room = (await scheduling.post("/v1/rooms", json={"name": "R"}, headers=ADMIN)).json()["id"]
    # The weekly course runs through Easter Monday and, once shifted, Labour and Victory Day:
    # the clinic opens on all three (it is closed on public holidays otherwise).
    for holiday in ("2030-04-22", "2030-05-01", "2030-05-08"):
        opened = await scheduling.put(f"/v1/holidays/{holiday}", json={"open": True}, headers=ADMIN)
        assert opened.status_code == 200, opened.text
    patient = (
        await scheduling.post(
            "/v1/patients",
            json={
                "first_name": "A",
                "last_name": "B",
                "email": "a@example.com",
                "preferred_channel": "email",
                "consent_email": True,
            },
            headers=DESK,
        )
    ).json()["id"]
    course = (
        await scheduling.post(
            "/v1/courses",
            json={
                "patient_id": patient,
                "treatment_code": "cellulite-thighs",
                "practitioner_id": practitioner,
                "sessions_planned": 10,
            },
            headers=DESK,
        )
    ).json()["id"]
    starts = [
        datetime.combine(MONDAY + timedelta(days=7 * i), time(10), tzinfo=PARIS).isoformat()
        for i in range(10)
    ]
    async with stack.observe("scheduling.session.*") as seen:
        booked = await scheduling.post(
            f"/v1/courses/{course}/book-plan",
            json={"sessions": [{"starts_at": s, "room_id": room} for s in starts]},
            headers=DESK,
        )
        assert booked.status_code == 201, booked.text
        fourth = booked.json()[3]["id"]
        new_start = datetime.combine(MONDAY + timedelta(days=23), time(15), tzinfo=PARIS)
        moved = await scheduling.post(
            f"/v1/sessions/{fourth}/reschedule",
            json={"starts_at": new_start.isoformat(), "shift_following": True},
            headers=DESK,
        )
        assert moved.status_code == 200, moved.text

        async def count() -> int:
            return len(seen)

        await eventually(count, until=lambda n: n >= 17, timeout=20)

    assert [e.type.rsplit(".", 1)[1] for e in seen] == ["booked"] * 10 + ["rescheduled"] * 7
    assert [e.data["sequence"] for e in seen] == list(range(1, 11)) + list(range(4, 11))
    # each request is one action, which its events name: notifications confirms it once
    actions = [(e.data["action"]["id"], e.data["action"]["sessions"]) for e in seen]
    assert len(set(actions[:10])) == len(set(actions[10:])) == 1
    assert (actions[0][1], actions[10][1]) == (10, 7)
    assert actions[0][0] != actions[10][0]
    for event in seen[10:]:
        previous = datetime.fromisoformat(event.data["previous_starts_at"])
        new = datetime.fromisoformat(event.data["starts_at"])
        assert (new.astimezone(PARIS).date() - previous.astimezone(PARIS).date()).days == 2
        assert new.astimezone(PARIS).time() == (
            time(15) if event.data["sequence"] == 4 else time(10)
        )
