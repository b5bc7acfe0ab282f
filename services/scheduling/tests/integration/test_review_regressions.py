"""Regressions from review: lock order, gaps left behind, plan horizon, numbering, confirmations."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import SessionConfirmedByPatient
from clinic_testing.helpers import eventually
from scheduling.adapters.orm import inbox

from .conftest import ADMIN, MONDAY, PARIS, Clinic, days, instant, local


async def _session(clinic: Clinic, session_id: str) -> dict:
    return dict((await clinic.client.get(f"/v1/sessions/{session_id}", headers=ADMIN)).json())


async def test_concurrent_cancels_and_moves_in_one_course_never_deadlock(clinic: Clinic) -> None:
    for round_ in range(3):  # a patient of each round: one active course per area
        course = await clinic.course(patient=await clinic.new_patient(f"Round{round_}"))
        first_day = MONDAY + days(round_)
        booked = [
            await clinic.book_ok(course, local(first_day + days(7 * i), 10 + i)) for i in range(4)
        ]
        answers = await asyncio.gather(
            clinic.post(f"/v1/sessions/{booked[3]['id']}/cancel", {}),
            clinic.post(f"/v1/sessions/{booked[2]['id']}/cancel", {}),
            clinic.post(
                f"/v1/sessions/{booked[0]['id']}/reschedule", {"starts_at": local(first_day, 16)}
            ),
        )
        assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]


async def test_moving_a_session_past_its_neighbour_cannot_strand_the_others(
    clinic: Clinic,
) -> None:
    course = await clinic.course()
    booked = [await clinic.book_ok(course, local(MONDAY + days(9 * i))) for i in range(3)]
    stranding = await clinic.post(
        f"/v1/sessions/{booked[1]['id']}/reschedule", {"starts_at": local(MONDAY + days(25))}
    )
    assert stranding.status_code == 409
    assert stranding.json()["next_session_id"] == booked[2]["id"]
    assert instant((await _session(clinic, booked[1]["id"]))["starts_at"]) == instant(
        booked[1]["starts_at"]
    )


async def test_plan_after_sessions_booked_far_ahead_still_avoids_time_off(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=3)
    await clinic.book_ok(course, local(MONDAY + days(30)))
    await clinic.book_ok(course, local(MONDAY + days(39)))
    await clinic.post(
        f"/v1/practitioners/{clinic.practitioner}/time-off",
        {"starts_at": local(MONDAY + days(46), 0), "ends_at": local(MONDAY + days(50), 0)},
    )
    plan = await clinic.post(f"/v1/courses/{course}/plan", {})
    [proposal] = plan.json()
    day = instant(proposal["starts_at"]).astimezone(PARIS).date()
    assert not (MONDAY + days(46) <= day < MONDAY + days(50))
    booked = await clinic.post(
        f"/v1/courses/{course}/book-plan",
        {"sessions": [{"starts_at": proposal["starts_at"], "room_id": proposal["room_id"]}]},
    )
    assert booked.status_code == 201, booked.text


async def test_a_session_booked_before_another_announces_the_new_number(clinic: Clinic) -> None:
    course = await clinic.course()
    later = await clinic.book_ok(course, local(MONDAY + days(14)))
    earlier = await clinic.book_ok(course, local(MONDAY + days(7)))
    assert (earlier["sequence"], (await _session(clinic, later["id"]))["sequence"]) == (1, 2)

    async def renumbered() -> list[Envelope]:
        return [e for e in clinic.events if e.type == "scheduling.session.renumbered"]

    [event] = await eventually(renumbered, until=lambda found: len(found) == 1)
    assert event.data["session_id"] == later["id"]
    assert (event.data["sequence"], event.data["previous_sequence"]) == (2, 1)


async def test_a_moved_session_needs_confirming_again(clinic: Clinic) -> None:
    session = await clinic.book_ok(await clinic.course(), local(MONDAY + days(7)))
    bus = clinic.app.state.runtime.message_bus
    replied = datetime.combine(MONDAY, time(8, 30), tzinfo=PARIS)
    confirm = SessionConfirmedByPatient(
        session_id=session["id"], patient_id=clinic.patient, confirmed_at=replied
    )
    await bus.publish(Envelope.wrap(confirm, producer="t", correlation_id="c"))
    await eventually(
        lambda: _session(clinic, session["id"]), until=lambda s: s["status"] == "confirmed"
    )

    clinic.travel_to(replied + timedelta(minutes=30))
    moved = await clinic.post(
        f"/v1/sessions/{session['id']}/reschedule", {"starts_at": local(MONDAY + days(8))}
    )
    assert moved.json()["status"] == "booked"
    late = Envelope.wrap(confirm, producer="t", correlation_id="c")  # a reply to the old time
    await bus.publish(late)

    async def inbox_has_it() -> bool:
        async with clinic.app.state.runtime.db.session() as db:
            found = await db.scalar(
                sa.select(inbox.c.event_id).where(inbox.c.event_id == str(late.id))
            )
        return found is not None

    await eventually(inbox_has_it)
    assert (await _session(clinic, session["id"]))["status"] == "booked"


async def test_sessions_of_an_abandoned_course_cannot_be_moved(clinic: Clinic) -> None:
    course = await clinic.course()
    session = await clinic.book_ok(course, local(MONDAY, 10))
    clinic.travel_to(datetime.combine(MONDAY, time(12), tzinfo=PARIS))
    abandoned = await clinic.post(f"/v1/courses/{course}/abandon", {})
    assert abandoned.status_code == 200, abandoned.text
    moved = await clinic.post(
        f"/v1/sessions/{session['id']}/reschedule", {"starts_at": local(MONDAY + days(2))}
    )
    assert moved.status_code == 409
