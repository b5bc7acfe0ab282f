"""A patient's self-service link: their course's upcoming sessions, confirm, cancel, move."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, time

import httpx

from clinic_shared.patient_links import mint_link
from clinic_testing.helpers import eventually

from .conftest import ADMIN, MONDAY, PARIS, Clinic, days, instant, local


def link_of(clinic: Clinic, course: str, key: str | None = None) -> dict[str, str]:
    settings = clinic.app.state.runtime.settings
    secret = key or settings.patient_link_key.get_secret_value()
    return {"X-Patient-Link": mint_link(secret, uuid.UUID(course))}


async def _course(clinic: Clinic, count: int = 3, gap: int = 9) -> tuple[str, list[dict]]:
    """A course booked on the 5th, 14th and 23rd of March (the clinic's today is the 4th)."""
    course = await clinic.course()
    booked = [await clinic.book_ok(course, local(MONDAY + days(1 + gap * i))) for i in range(count)]
    return course, booked


async def _act(
    clinic: Clinic, link: dict[str, str], session: str, verb: str, body: object = None
) -> httpx.Response:
    path = f"/v1/self-service/sessions/{session}/{verb}"
    return await clinic.client.post(path, json=body, headers=link)


def _kinds(clinic: Clinic, kind: str) -> list[str]:
    return [str(e.data["session_id"]) for e in clinic.events if e.type == kind]


async def _changed_once(clinic: Clinic, session: str, action: str, event: str) -> None:
    """One entry of `action` in the session's trail, and its event sent, once."""
    read = await clinic.client.get(f"/v1/sessions/{session}", headers=ADMIN)
    trail = [(e["by"], e["role"], e["action"]) for e in read.json()["audit"]]
    assert trail.count((clinic.patient, "patient", action)) == 1, trail

    async def sent() -> list[str]:
        return _kinds(clinic, event)

    assert await eventually(sent) == [session]


async def test_the_link_shows_first_name_treatment_and_upcoming_times_only(clinic: Clinic) -> None:
    course, booked = await _course(clinic)
    await clinic.post(f"/v1/sessions/{booked[0]['id']}/cancel", {})

    page = await clinic.client.get("/v1/self-service/course", headers=link_of(clinic, course))

    assert page.status_code == 200, page.text
    body = page.json()
    assert body["first_name"] == "Amelia"
    assert body["treatment"]
    assert [s["id"] for s in body["sessions"]] == [booked[1]["id"], booked[2]["id"]]
    assert set(body["sessions"][0]) == {
        "id",
        "sequence",
        "starts_at",
        "ends_at",
        "status",
        "may_change",
    }
    for private in ("Hart", "+447911123456", clinic.practitioner, clinic.patient):
        assert private not in page.text


async def test_forged_missing_and_staff_credentials_are_refused(clinic: Clinic) -> None:
    course, _ = await _course(clinic, 1)
    forged = link_of(clinic, course, key="another-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    for headers in (forged, {}, ADMIN, {"X-Patient-Link": "not-a-token"}):
        answer = await clinic.client.get("/v1/self-service/course", headers=headers)
        assert answer.status_code == 401, answer.text
        assert answer.json()["type"].endswith("link-invalid")
        assert "Amelia" not in answer.text


async def test_another_courses_link_cannot_reach_this_session(clinic: Clinic) -> None:
    _, booked = await _course(clinic, 1)
    other = await clinic.course(patient=await clinic.new_patient("Mallory"))
    await clinic.book_ok(other, local(MONDAY + days(2), 14))
    theirs = link_of(clinic, other)
    for verb in ("confirm", "cancel", "slots"):
        if verb == "slots":
            path = f"/v1/self-service/sessions/{booked[0]['id']}/slots"
            answer = await clinic.client.get(path, headers=theirs)
        else:
            answer = await _act(clinic, theirs, booked[0]["id"], verb)
        assert answer.status_code == 404, answer.text
    read = await clinic.client.get(f"/v1/sessions/{booked[0]['id']}", headers=ADMIN)
    assert read.json()["status"] == "booked"


async def test_confirming_twice_confirms_once_as_the_patient(clinic: Clinic) -> None:
    course, booked = await _course(clinic, 1)
    link = link_of(clinic, course)
    first = await _act(clinic, link, booked[0]["id"], "confirm")
    again = await _act(clinic, link, booked[0]["id"], "confirm")
    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["status"] == again.json()["status"] == "confirmed"
    read = await clinic.client.get(f"/v1/sessions/{booked[0]['id']}", headers=ADMIN)
    trail = [(e["by"], e["role"], e["action"]) for e in read.json()["audit"]]
    assert trail.count((clinic.patient, "patient", "confirmed")) == 1


async def test_a_cancel_a_day_ahead_is_the_staff_cancel_and_happens_once(clinic: Clinic) -> None:
    course, booked = await _course(clinic)
    link = link_of(clinic, course)
    second = booked[1]["id"]
    first = await _act(clinic, link, second, "cancel")
    again = await _act(clinic, link, second, "cancel")
    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["status"] == "cancelled"
    await _changed_once(clinic, second, "cancelled", "scheduling.session.cancelled")


async def test_a_cancel_within_a_day_of_the_start_says_to_call(clinic: Clinic) -> None:
    course, booked = await _course(clinic, 1)  # tomorrow 10:00; now 08:00: 26 h ahead
    clinic.travel_to(datetime.combine(MONDAY, time(12), tzinfo=PARIS))  # 22 h ahead
    link = link_of(clinic, course)
    page = await clinic.client.get("/v1/self-service/course", headers=link)
    assert page.json()["sessions"][0]["may_change"] is False
    late = await _act(clinic, link, booked[0]["id"], "cancel")
    assert late.status_code == 409, late.text
    assert late.json()["type"].endswith("too-late-to-change")
    assert late.json()["call_the_clinic"] is True
    assert "call the clinic" in late.json()["detail"]
    read = await clinic.client.get(f"/v1/sessions/{booked[0]['id']}", headers=ADMIN)
    assert read.json()["status"] == "booked"


async def test_the_notice_is_configurable(clinic: Clinic) -> None:
    clinic.app.state.runtime.settings.self_service_notice_hours = 48
    course, booked = await _course(clinic, 1)  # 26 h ahead
    late = await _act(clinic, link_of(clinic, course), booked[0]["id"], "cancel")
    assert late.status_code == 409, late.text
    assert late.json()["notice_hours"] == 48


async def test_free_slots_lie_inside_the_staff_window_and_a_move_is_a_staff_move(
    clinic: Clinic,
) -> None:
    course, booked = await _course(clinic)  # 5, 14 and 23 March
    middle = booked[1]["id"]
    link = link_of(clinic, course)
    window = (await clinic.client.get(f"/v1/sessions/{middle}/window", headers=ADMIN)).json()
    slots = await clinic.client.get(f"/v1/self-service/sessions/{middle}/slots", headers=link)
    assert slots.status_code == 200, slots.text
    starts = [instant(s) for s in slots.json()["starts"]]
    assert starts
    lowest, highest = window["alone"]["earliest"], window["alone"]["latest"]
    assert all(lowest <= s.astimezone(PARIS).date().isoformat() <= highest for s in starts)
    assert instant(booked[1]["starts_at"]) not in starts
    other_patients_slot = datetime.combine(MONDAY + days(12), time(15), tzinfo=PARIS)
    other = await clinic.course(patient=await clinic.new_patient("Nora"))
    await clinic.book_ok(other, other_patients_slot.isoformat())
    after = await clinic.client.get(f"/v1/self-service/sessions/{middle}/slots", headers=link)
    assert other_patients_slot not in [instant(s) for s in after.json()["starts"]]

    target = next(s for s in starts if s != other_patients_slot).isoformat()
    moved = await _act(clinic, link, middle, "move", {"starts_at": target})
    again = await _act(clinic, link, middle, "move", {"starts_at": target})
    assert moved.status_code == again.status_code == 200, again.text
    assert instant(again.json()["starts_at"]) == instant(target)
    await _changed_once(clinic, middle, "rescheduled", "scheduling.session.rescheduled")


async def test_a_move_outside_the_window_is_refused_as_for_staff(clinic: Clinic) -> None:
    course, booked = await _course(clinic)
    too_far = {"starts_at": local(MONDAY + days(22), 11)}  # past the third session
    patient = await _act(clinic, link_of(clinic, course), booked[1]["id"], "move", too_far)
    staff = await clinic.post(f"/v1/sessions/{booked[1]['id']}/reschedule", too_far)
    assert patient.status_code == staff.status_code
    assert patient.json()["type"] == staff.json()["type"]
    bad = await _act(clinic, link_of(clinic, course), booked[1]["id"], "move", {"starts_at": "x"})
    assert bad.status_code == 422
    assert "starts_at" in bad.text


async def test_the_link_expires_when_the_last_upcoming_session_starts(clinic: Clinic) -> None:
    course, booked = await _course(clinic, 2)
    link = link_of(clinic, course)
    clinic.travel_to(instant(booked[1]["starts_at"]))
    gone = await clinic.client.get("/v1/self-service/course", headers=link)
    assert gone.status_code == 410, gone.text
    assert gone.json()["type"].endswith("link-expired")


async def test_the_link_is_revoked_on_erasure(clinic: Clinic) -> None:
    course, _ = await _course(clinic, 2)
    link = link_of(clinic, course)
    erased = await clinic.post(f"/v1/patients/{clinic.patient}/erase", {}, ADMIN)
    assert erased.status_code == 200, erased.text
    gone = await clinic.client.get("/v1/self-service/course", headers=link)
    assert gone.status_code == 410, gone.text
    assert gone.json()["type"].endswith("link-revoked")


async def test_two_devices_cancelling_at_once_cancel_once(clinic: Clinic) -> None:
    course, booked = await _course(clinic)
    link = link_of(clinic, course)
    answers = await asyncio.gather(*(_act(clinic, link, booked[2]["id"], "cancel") for _ in "ab"))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    await _changed_once(clinic, booked[2]["id"], "cancelled", "scheduling.session.cancelled")


async def test_two_devices_moving_at_once_move_once(clinic: Clinic) -> None:
    course, booked = await _course(clinic)
    link = link_of(clinic, course)
    target = {"starts_at": local(MONDAY + days(12), 16)}
    answers = await asyncio.gather(
        *(_act(clinic, link, booked[1]["id"], "move", target) for _ in "ab")
    )
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    await _changed_once(clinic, booked[1]["id"], "rescheduled", "scheduling.session.rescheduled")
