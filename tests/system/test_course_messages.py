"""What a patient gets when staff book a course, move it and cancel a session: one message per
action and consented channel, never in quiet hours."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clinic_testing.helpers import bearer, eventually

from .conftest import Stack

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]
PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2030, 3, 4)
DESK, ADMIN = bearer("receptionist"), bearer("admin")


@pytest.fixture
def overrides(tmp_path: Path) -> dict[str, dict[str, Any]]:
    return {"notifications": {"outbox_dir": tmp_path, "dispatch_poll_seconds": 0.05}}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def clocks(stack: Stack, moment: datetime) -> None:
    """Both services believe it is `moment`."""
    for name in ("scheduling", "notifications"):
        stack.apps[name].state.runtime.clock = lambda: moment


async def a_course(stack: Stack) -> tuple[str, str, str]:
    """A practitioner, a room, a patient who agreed to SMS and email, and a 10-session course."""
    scheduling = stack.clients["scheduling"]
    practitioner = (
        await scheduling.post("/v1/practitioners", json={"name": "Dr A"}, headers=ADMIN)
    ).json()["id"]
    await scheduling.put(
        f"/v1/practitioners/{practitioner}/hours",
        json=[{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)],
        headers=ADMIN,
    )
    room = (await scheduling.post("/v1/rooms", json={"name": "R"}, headers=ADMIN)).json()["id"]
    patient = {
        "first_name": "Amelia",
        "last_name": "Hart",
        "phone": "+44 7911 123456",
        "email": "amelia@example.com",
        "consent_sms": True,
        "consent_email": True,
    }
    patient_id = (await scheduling.post("/v1/patients", json=patient, headers=DESK)).json()["id"]
    body = {
        "patient_id": patient_id,
        "treatment_code": "cellulite-thighs",
        "practitioner_id": practitioner,
        "sessions_planned": 10,
    }
    course = (await scheduling.post("/v1/courses", json=body, headers=DESK)).json()["id"]
    return patient_id, course, room


async def book_weekly(stack: Stack, course: str, room: str, first: date) -> list[dict[str, Any]]:
    starts = [at(first + timedelta(days=7 * i), 10).isoformat() for i in range(10)]
    booked = await stack.clients["scheduling"].post(
        f"/v1/courses/{course}/book-plan",
        json={"sessions": [{"starts_at": s, "room_id": room} for s in starts]},
        headers=DESK,
    )
    assert booked.status_code == 201, booked.text
    return list(booked.json())


async def messages(stack: Stack, patient_id: str, **filters: str) -> list[dict[str, Any]]:
    response = await stack.clients["notifications"].get(
        "/v1/messages", params={"patient_id": patient_id, **filters}, headers=DESK
    )
    return list(response.json())


async def sent(stack: Stack, patient_id: str, kind: str, count: int) -> list[dict[str, Any]]:
    """The patient's messages of `kind` once `count` of them went."""
    return await eventually(
        lambda: messages(stack, patient_id, kind=kind, status="sent"),
        until=lambda found: len(found) >= count,
        timeout=20,
    )


async def withdrawn_reminders(stack: Stack, patient_id: str, moved: set[str]) -> None:
    """Once every moved session's old reminders are withdrawn, all of the move is here: the
    clock may pass the move's hold (before that, its confirmation would rightly go with the
    part that had come, as it does when the rest is more than the hold late)."""
    await eventually(
        lambda: messages(stack, patient_id, kind="reminder", status="cancelled"),
        until=lambda found: moved <= {m["session_id"] for m in found},
        timeout=20,
    )


def text(outbox: Path, message: dict[str, Any]) -> str:
    suffix = ".sms.txt" if message["channel"] == "sms" else ".eml"
    return (outbox / f"{message['id']}{suffix}").read_text()


async def test_a_course_booked_moved_and_cut_short_sends_one_message_per_action_and_channel(
    stack: Stack, tmp_path: Path
) -> None:
    clocks(stack, at(MONDAY, 9))
    patient_id, course, room = await a_course(stack)
    # The weekly course runs through Easter Monday and, once shifted, Labour and Victory Day:
    # the clinic opens on all three (it is closed on public holidays otherwise).
    for holiday in ("2030-04-22", "2030-05-01", "2030-05-08"):
        opened = await stack.clients["scheduling"].put(
            f"/v1/holidays/{holiday}", json={"open": True}, headers=ADMIN
        )
        assert opened.status_code == 200, opened.text
    sessions = await book_weekly(stack, course, room, MONDAY + timedelta(days=7))

    booking = await sent(stack, patient_id, "confirmation", 2)
    by_channel = {m["channel"]: text(tmp_path, m) for m in booking}
    moved = await stack.clients["scheduling"].post(
        f"/v1/sessions/{sessions[3]['id']}/reschedule",
        json={
            "starts_at": at(MONDAY + timedelta(days=30), 10).isoformat(),
            "shift_following": True,
        },
        headers=DESK,
    )
    assert moved.status_code == 200, moved.text
    await withdrawn_reminders(stack, patient_id, {s["id"] for s in sessions[3:]})
    settled = at(MONDAY, 9, 5)  # a move's confirmation waits a few minutes for another move
    stack.apps["notifications"].state.runtime.clock = lambda: settled
    after_move = await sent(stack, patient_id, "confirmation", 4)
    cancelled = await stack.clients["scheduling"].post(
        f"/v1/sessions/{sessions[9]['id']}/cancel", json={"reason": "leave"}, headers=DESK
    )
    assert cancelled.status_code == 200, cancelled.text
    notices = await sent(stack, patient_id, "cancellation", 2)

    assert sorted(m["channel"] for m in booking) == ["email", "sms"]
    assert "10 sessions booked, 11 Mar to 13 May. Next: session 1 of 10, Monday 11 March at " \
        "10:00" in by_channel["sms"]  # fmt: skip
    assert "Session 1 of 10: Monday 11 March at 10:00" in by_channel["email"]
    assert "Session 10 of 10: Monday 13 May at 10:00" in by_channel["email"]
    move = [m for m in after_move if m["id"] not in {b["id"] for b in booking}]
    assert sorted(m["channel"] for m in move) == ["email", "sms"]
    move_sms = next(text(tmp_path, m) for m in move if m["channel"] == "sms")
    assert "7 sessions moved, 3 Apr to 15 May. Next: session 4 of 10, Wednesday 3 April" in (
        move_sms
    )
    assert sorted(m["channel"] for m in notices) == ["email", "sms"]
    notice = next(text(tmp_path, m) for m in notices if m["channel"] == "sms")
    assert "session 10 of 10 on Wednesday 15 May at 10:00 will not take place" in notice
    every = await messages(stack, patient_id, status="sent")
    assert sorted(m["kind"] for m in every) == ["cancellation"] * 2 + ["confirmation"] * 4


async def test_a_course_booked_in_the_evening_is_confirmed_when_quiet_hours_end(
    stack: Stack,
) -> None:
    evening = at(MONDAY, 21)
    clocks(stack, evening)
    patient_id, course, room = await a_course(stack)
    await book_weekly(stack, course, room, MONDAY + timedelta(days=1))

    held = await eventually(
        lambda: messages(stack, patient_id, kind="confirmation"),
        until=lambda found: len(found) == 2,
        timeout=20,
    )
    stack.apps["notifications"].state.runtime.clock = lambda: evening + timedelta(hours=2)
    await asyncio.sleep(0.5)  # ten dispatch rounds at 23:00
    night = await messages(stack, patient_id, status="sent")
    stack.apps["notifications"].state.runtime.clock = lambda: at(MONDAY + timedelta(days=1), 8)
    morning = await sent(stack, patient_id, "confirmation", 2)

    assert {m["status"] for m in held} == {"scheduled"}
    assert night == []  # nothing at night: not the confirmations, not a reminder
    assert sorted(m["channel"] for m in morning) == ["email", "sms"]
