"""The waitlist: courses join it, a freed slot is offered to the courses whose window holds it,
and the first patient to accept takes it while the others keep their place."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from clinic_shared.patient_links import mint_link, mint_offer_link
from clinic_testing.helpers import bearer, eventually

from .conftest import ADMIN, DESK, MONDAY, PARIS, Clinic, days, instant, local

FRIDAY = MONDAY + days(11)  # 15 March 2030, the day of the freed slot


def offer_link(clinic: Clinic, offer_id: str) -> dict[str, str]:
    key = clinic.app.state.runtime.settings.patient_link_key.get_secret_value()
    return {"X-Patient-Link": mint_offer_link(key, uuid.UUID(offer_id))}


def course_link(clinic: Clinic, course: str) -> dict[str, str]:
    key = clinic.app.state.runtime.settings.patient_link_key.get_secret_value()
    return {"X-Patient-Link": mint_link(key, uuid.UUID(course))}


async def _waiting_course(clinic: Clinic, name: str, first: str | None = None) -> str:
    """A new patient's course on the waitlist; `first`: its first session's start, booked."""
    course = await clinic.course(patient=await clinic.new_patient(name))
    if first is not None:
        await clinic.book_ok(course, first, room=1)
    joined = await clinic.post("/v1/waitlist", {"course_id": course})
    assert joined.status_code == 201, joined.text
    return course


async def _free_friday_slot(clinic: Clinic) -> dict[str, Any]:
    """The clinic's patient's session on Friday 15 March at 10:00 in room 1, cancelled."""
    held = await clinic.book_ok(await clinic.course(), local(FRIDAY, 10))
    cancelled = await clinic.post(f"/v1/sessions/{held['id']}/cancel", {})
    assert cancelled.status_code == 200, cancelled.text
    return held


async def _waitlist(clinic: Clinic) -> list[dict[str, Any]]:
    answer = await clinic.client.get("/v1/waitlist", headers=DESK)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def _offers_by_course(clinic: Clinic) -> dict[str, list[dict[str, Any]]]:
    return {w["course_id"]: w["offers"] for w in await _waitlist(clinic)}


async def _accept(clinic: Clinic, offer_id: str) -> httpx.Response:
    return await clinic.client.post(
        "/v1/self-service/offer/accept", headers=offer_link(clinic, offer_id)
    )


async def test_joining_twice_keeps_the_first_place(clinic: Clinic) -> None:
    course = await clinic.course()

    first = await clinic.post("/v1/waitlist", {"course_id": course})
    again = await clinic.post("/v1/waitlist", {"course_id": course})

    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json()["id"] == first.json()["id"]
    assert [w["course_id"] for w in await _waitlist(clinic)] == [course]
    read = await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)
    assert [e["action"] for e in read.json()["audit"]].count("joined_waitlist") == 1


async def test_bad_and_unknown_courses_and_other_roles_are_refused(clinic: Clinic) -> None:
    missing = await clinic.post("/v1/waitlist", {"course_id": str(uuid.uuid4())})
    malformed = await clinic.post("/v1/waitlist", {"course_id": "nope"})
    extra = await clinic.post("/v1/waitlist", {"course_id": str(uuid.uuid4()), "x": 1})
    course = await clinic.course()
    practitioner = await clinic.post("/v1/waitlist", {"course_id": course}, clinic.doctor)
    stock = await clinic.client.get("/v1/waitlist", headers=bearer("stock_manager"))

    assert missing.status_code == 404
    assert malformed.status_code == 422
    assert "body.course_id" in malformed.text
    assert extra.status_code == 422
    assert (practitioner.status_code, stock.status_code) == (403, 403)


async def test_a_course_with_nothing_left_to_book_cannot_wait(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=1)
    await clinic.book_ok(course, local(MONDAY + days(1)))

    refused = await clinic.post("/v1/waitlist", {"course_id": course})

    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/not-waitlistable")


async def test_a_freed_slot_is_offered_only_to_windows_holding_it_with_its_practitioner(
    clinic: Clinic,
) -> None:
    fresh = await _waiting_course(clinic, "Fresh")  # no session yet: any day
    inside = await _waiting_course(clinic, "Inside", local(MONDAY + days(2), 11))  # 13-21 March
    outside = await _waiting_course(clinic, "Outside", local(MONDAY + days(8), 11))  # 19-27
    other = await clinic.post("/v1/practitioners", {"name": "Dr Roux"}, ADMIN)
    elsewhere_patient = await clinic.new_patient("Elsewhere")
    elsewhere = await clinic.post(
        "/v1/courses",
        {
            "patient_id": elsewhere_patient,
            "treatment_code": "cellulite-thighs",
            "practitioner_id": other.json()["id"],
        },
    )
    await clinic.post("/v1/waitlist", {"course_id": elsewhere.json()["id"]})

    held = await _free_friday_slot(clinic)

    offers = await _offers_by_course(clinic)
    assert {c for c, o in offers.items() if o} == {fresh, inside}
    assert set(offers) == {fresh, inside, outside, elsewhere.json()["id"]}
    offer = offers[inside][0]
    assert instant(offer["starts_at"]) == instant(held["starts_at"])
    assert offer["room_id"] == clinic.rooms[0]
    assert offer["state"] == "open"
    assert instant(offer["expires_at"]) - instant(offer["offered_at"]) == timedelta(hours=2)

    async def announced() -> list[str]:
        return [
            e.data["course_id"] for e in clinic.events if e.type == "scheduling.waitlist.offered"
        ]

    assert sorted(await eventually(announced, until=lambda found: len(found) == 2)) == sorted(
        [fresh, inside]
    )


async def test_a_move_offers_the_slot_it_left(clinic: Clinic) -> None:
    waiting = await _waiting_course(clinic, "Waiting")
    held = await clinic.book_ok(await clinic.course(), local(FRIDAY, 10))

    moved = await clinic.post(
        f"/v1/sessions/{held['id']}/reschedule", {"starts_at": local(FRIDAY, 15)}
    )

    assert moved.status_code == 200, moved.text
    [offer] = (await _offers_by_course(clinic))[waiting]
    assert instant(offer["starts_at"]) == instant(local(FRIDAY, 10))


async def test_ten_patients_accepting_one_slot_at_once_book_it_once(clinic: Clinic) -> None:
    waiting = [await _waiting_course(clinic, f"Patient{i}") for i in range(10)]
    await _free_friday_slot(clinic)
    offers = await _offers_by_course(clinic)
    ids = [offers[course][0]["id"] for course in waiting]

    answers = await asyncio.gather(*(_accept(clinic, offer) for offer in ids))

    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 9, [a.text for a in answers]
    winner = next(a.json() for a in answers if a.status_code == 201)
    assert winner["state"] == "accepted"
    for lost in (a.json() for a in answers if a.status_code == 409):
        assert lost["type"].endswith("/offer-gone")
        assert lost["keeps_place"] is True
        assert "another patient" in lost["detail"]
    session = await clinic.client.get(f"/v1/sessions/{winner['session_id']}", headers=ADMIN)
    assert instant(session.json()["starts_at"]) == instant(local(FRIDAY, 10))
    winning_course = session.json()["course_id"]
    left = await _waitlist(clinic)
    assert sorted(w["course_id"] for w in left) == sorted(set(waiting) - {winning_course})
    assert {o["state"] for w in left for o in w["offers"]} == {"taken"}
    booked = await clinic.client.get(
        "/v1/sessions", params={"practitioner_id": clinic.practitioner}, headers=ADMIN
    )
    on_friday = [
        s
        for s in booked.json()
        if s["status"] == "booked" and s["starts_at"].startswith("2030-03-15")
    ]
    assert [s["id"] for s in on_friday] == [winner["session_id"]]


async def test_accepting_again_answers_the_same_session(clinic: Clinic) -> None:
    waiting = await _waiting_course(clinic, "Twice")
    await _free_friday_slot(clinic)
    [offer] = (await _offers_by_course(clinic))[waiting]

    first = await _accept(clinic, offer["id"])
    again = await _accept(clinic, offer["id"])

    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json()["session_id"] == first.json()["session_id"]
    read = await clinic.client.get(f"/v1/courses/{waiting}", headers=ADMIN)
    assert [s["status"] for s in read.json()["sessions"]] == ["booked"]
    trail = [(e["role"], e["action"]) for e in read.json()["audit"]]
    assert ("patient", "waitlist_offer_accepted") in trail


async def test_an_offer_expires_after_its_time_and_the_patient_keeps_their_place(
    clinic: Clinic,
) -> None:
    waiting = await _waiting_course(clinic, "Late")
    await _free_friday_slot(clinic)
    [offer] = (await _offers_by_course(clinic))[waiting]
    link = offer_link(clinic, offer["id"])
    page = await clinic.client.get("/v1/self-service/offer", headers=link)
    assert page.status_code == 200, page.text
    assert page.json()["first_name"] == "Late"
    assert set(page.json()) == {
        "first_name",
        "treatment",
        "starts_at",
        "ends_at",
        "expires_at",
        "state",
        "session_id",
    }

    clinic.travel_to(
        datetime.combine(MONDAY, datetime.min.time(), PARIS) + timedelta(hours=10, minutes=1)
    )
    expired_page = await clinic.client.get("/v1/self-service/offer", headers=link)
    expired_accept = await _accept(clinic, offer["id"])

    for answer in (expired_page, expired_accept):
        assert answer.status_code == 410, answer.text
        assert answer.json()["type"].endswith("/link-expired")
        assert "keep your place" in answer.json()["detail"]
    [still] = await _waitlist(clinic)
    assert still["course_id"] == waiting
    assert still["offers"][0]["state"] == "expired"


async def test_a_slot_booked_by_the_desk_meanwhile_has_gone(clinic: Clinic) -> None:
    waiting = await _waiting_course(clinic, "Slow")
    await _free_friday_slot(clinic)
    [offer] = (await _offers_by_course(clinic))[waiting]
    walk_in = await clinic.course(patient=await clinic.new_patient("Walkin"))
    await clinic.book_ok(walk_in, local(FRIDAY, 10), room=1)  # the practitioner is taken

    gone = await _accept(clinic, offer["id"])

    assert gone.status_code == 409, gone.text
    assert gone.json()["type"].endswith("/offer-gone")
    assert [w["course_id"] for w in await _waitlist(clinic)] == [waiting]


async def test_forged_course_and_missing_links_cannot_accept(clinic: Clinic) -> None:
    waiting = await _waiting_course(clinic, "Guarded")
    await _free_friday_slot(clinic)
    [offer] = (await _offers_by_course(clinic))[waiting]
    forged = {
        "X-Patient-Link": mint_offer_link(
            "another-key-0123456789-abcdefghijklmnopqrstuvwxyz", uuid.UUID(offer["id"])
        )
    }
    # a course's link names a course, never an offer, even with the offer's id
    as_course = course_link(clinic, offer["id"])

    for headers in (forged, as_course, {}, ADMIN):
        answer = await clinic.client.post("/v1/self-service/offer/accept", headers=headers)
        assert answer.status_code == 401, answer.text
        assert "Guarded" not in answer.text


async def test_a_patient_joins_the_waitlist_from_their_link(clinic: Clinic) -> None:
    course = await clinic.course()
    await clinic.book_ok(course, local(MONDAY + days(1)))
    link = course_link(clinic, course)
    before = await clinic.client.get("/v1/self-service/course", headers=link)

    first = await clinic.client.post("/v1/self-service/waitlist", headers=link)
    again = await clinic.client.post("/v1/self-service/waitlist", headers=link)

    assert (first.status_code, again.status_code) == (200, 200), first.text
    assert first.json()["joined_at"] == again.json()["joined_at"]
    after = await clinic.client.get("/v1/self-service/course", headers=link)
    standing = [(p.json()["on_waitlist"], p.json()["may_join_waitlist"]) for p in (before, after)]
    assert standing == [(False, True), (True, False)]
    [entry] = await _waitlist(clinic)
    assert entry["course_id"] == course
    read = await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)
    trail = [(e["by"], e["role"], e["action"]) for e in read.json()["audit"]]
    assert (clinic.patient, "patient", "joined_waitlist") in trail


async def test_an_abandoned_course_leaves_the_waitlist(clinic: Clinic) -> None:
    kept = await _waiting_course(clinic, "Kept")
    gone = await _waiting_course(clinic, "Gone")

    abandoned = await clinic.post(f"/v1/courses/{gone}/abandon", {})
    await _free_friday_slot(clinic)

    assert abandoned.status_code == 200, abandoned.text
    assert [(w["course_id"], len(w["offers"])) for w in await _waitlist(clinic)] == [(kept, 1)]
