"""A patient is never in two sessions at once, whoever treats them and wherever: booking, a
plan, a move, a shift of the later sessions, and concurrent requests alike."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from scheduling.adapters.orm import sessions

from .conftest import ADMIN, MONDAY, Clinic, days, instant, local


async def _second_practitioner(clinic: Clinic, name: str = "Nurse Patel") -> str:
    made = await clinic.client.post("/v1/practitioners", json={"name": name}, headers=ADMIN)
    practitioner = str(made.json()["id"])
    hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(6)]
    put = await clinic.client.put(
        f"/v1/practitioners/{practitioner}/hours", json=hours, headers=ADMIN
    )
    assert put.status_code == 200, put.text
    return practitioner


async def _course_with(clinic: Clinic, practitioner: str, treatment: str) -> str:
    response = await clinic.post(
        "/v1/courses",
        {
            "patient_id": clinic.patient,
            "treatment_code": treatment,
            "practitioner_id": practitioner,
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _two_courses(clinic: Clinic) -> tuple[str, str]:
    """The patient's thighs with the first practitioner and abdomen with a second one."""
    thighs = await clinic.course()
    abdomen = await _course_with(clinic, await _second_practitioner(clinic), "cellulite-abdomen")
    return thighs, abdomen


def _refused_for_the_patient(response, holder: str) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["resource"] == "patient"
    assert body["conflicting_session_id"] == holder
    assert "patient already has a session" in body["detail"]


async def test_a_patient_booked_with_one_practitioner_cannot_be_booked_with_another_then(
    clinic: Clinic,
) -> None:
    thighs, abdomen = await _two_courses(clinic)
    held = await clinic.book_ok(thighs, local(MONDAY, 10))

    overlapping = await clinic.book(abdomen, local(MONDAY, 10, 15), room=1)
    back_to_back = await clinic.book(abdomen, local(MONDAY, 10, 30), room=1)

    _refused_for_the_patient(overlapping, held["id"])
    assert back_to_back.status_code == 201, back_to_back.text


async def test_a_plan_goes_around_the_patients_other_sessions_and_book_plan_refuses_them(
    clinic: Clinic,
) -> None:
    thighs, abdomen = await _two_courses(clinic)
    held = await clinic.book_ok(thighs, local(MONDAY, 10))

    plan = await clinic.post(
        f"/v1/courses/{abdomen}/plan", {"first_date": str(MONDAY), "time_of_day": "10:00"}
    )
    assert plan.status_code == 200, plan.text
    first = plan.json()[0]
    assert instant(first["starts_at"]) != instant(local(MONDAY, 10))  # the time asked for
    overlaps = instant(first["starts_at"]) < instant(held["ends_at"]) and instant(
        first["ends_at"]
    ) > instant(held["starts_at"])
    assert not overlaps, first

    starts = [
        {"starts_at": local(MONDAY, 14), "room_id": clinic.rooms[1]},
        {"starts_at": local(MONDAY + days(7), 14), "room_id": clinic.rooms[1]},
        {"starts_at": local(MONDAY + days(14), 14), "room_id": clinic.rooms[1]},
    ]
    later = await clinic.book_ok(thighs, local(MONDAY + days(7), 14))
    refused = await clinic.post(f"/v1/courses/{abdomen}/book-plan", {"sessions": starts})
    assert refused.status_code == 409, refused.text
    assert refused.json()["index"] == 1
    assert refused.json()["errors"][0]["field"] == "body.sessions[1].starts_at"
    _refused_for_the_patient(refused, later["id"])
    listed = await clinic.client.get("/v1/sessions", params={"course_id": abdomen}, headers=ADMIN)
    assert listed.json() == []


async def test_a_session_cannot_be_moved_onto_the_patients_other_session(clinic: Clinic) -> None:
    thighs, abdomen = await _two_courses(clinic)
    held = await clinic.book_ok(thighs, local(MONDAY, 10))
    moving = await clinic.book_ok(abdomen, local(MONDAY, 14), room=1)

    refused = await clinic.post(
        f"/v1/sessions/{moving['id']}/reschedule", {"starts_at": local(MONDAY, 10, 20)}
    )

    _refused_for_the_patient(refused, held["id"])
    unmoved = await clinic.client.get(f"/v1/sessions/{moving['id']}", headers=ADMIN)
    assert instant(unmoved.json()["starts_at"]) == instant(local(MONDAY, 14))


async def test_shifting_later_sessions_onto_the_patients_other_session_moves_nothing(
    clinic: Clinic,
) -> None:
    thighs, abdomen = await _two_courses(clinic)
    await clinic.book_ok(thighs, local(MONDAY, 10))
    held = await clinic.book_ok(thighs, local(MONDAY + days(8), 14))
    first = await clinic.book_ok(abdomen, local(MONDAY, 14), room=1)
    second = await clinic.book_ok(abdomen, local(MONDAY + days(7), 14), room=1)

    refused = await clinic.post(
        f"/v1/sessions/{first['id']}/reschedule",
        {"starts_at": local(MONDAY + days(1), 14), "shift_following": True},
    )

    _refused_for_the_patient(refused, held["id"])
    assert refused.json()["session_id"] == second["id"]
    assert refused.json()["errors"][0]["field"] == "body.shift_following"
    listed = await clinic.client.get("/v1/sessions", params={"course_id": abdomen}, headers=ADMIN)
    starts = [instant(s["starts_at"]) for s in listed.json()]
    assert starts == [instant(local(MONDAY, 14)), instant(local(MONDAY + days(7), 14))]


LANES = 8


async def test_concurrent_bookings_of_one_patient_with_different_staff_and_rooms_make_one(
    clinic: Clinic,
) -> None:
    courses = []
    for i in range(LANES):
        practitioner = await _second_practitioner(clinic, f"Practitioner {i}")
        if i >= len(clinic.rooms):
            room = await clinic.client.post("/v1/rooms", json={"name": f"Lane {i}"}, headers=ADMIN)
            clinic.rooms.append(room.json()["id"])
        # Each course on an area of its own: one course per area is a rule of its own.
        treatment = {
            "code": f"lane-{i}",
            "name": f"Lane {i}",
            "area": f"lane_{i}",
            "session_minutes": 30,
            "default_sessions": 8,
        }
        made = await clinic.post("/v1/treatments", treatment, headers=ADMIN)
        assert made.status_code == 201, made.text
        courses.append(await _course_with(clinic, practitioner, f"lane-{i}"))

    # Every start within 30 minutes of every other: each pair overlaps.
    answers = await asyncio.gather(
        *(clinic.book(course, local(MONDAY, 10, 3 * i), room=i) for i, course in enumerate(courses))
    )

    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * (LANES - 1), [a.text for a in answers]
    winner = next(a.json()["id"] for a in answers if a.status_code == 201)
    for loser in (a for a in answers if a.status_code == 409):
        _refused_for_the_patient(loser, winner)
    async with clinic.app.state.runtime.db.session() as db:
        rows = (await db.execute(sa.select(sessions.c.id))).all()
    assert [str(r.id) for r in rows] == [winner]


async def test_the_database_itself_refuses_a_patients_overlap_and_a_patient_not_the_courses(
    clinic: Clinic,
) -> None:
    first = await clinic.book_ok(await clinic.course(), local(MONDAY, 10))
    other = await _second_practitioner(clinic)
    someone = uuid.UUID(await clinic.new_patient())
    async with clinic.app.state.runtime.db.session() as db, db.begin():
        row = (await db.execute(sa.select(sessions).where(sessions.c.id == first["id"]))).one()
        elsewhere = dict(row._mapping) | {
            "id": uuid.uuid4(),
            "practitioner_id": uuid.UUID(other),
            "room_id": uuid.UUID(clinic.rooms[1]),
        }
        with pytest.raises(sa.exc.IntegrityError, match="sessions_patient_id_no_overlap"):
            async with db.begin_nested():
                await db.execute(sa.insert(sessions).values(**elsewhere))
        someone_else = elsewhere | {
            "patient_id": someone,
            "starts_at": row.starts_at + days(1),
            "ends_at": row.ends_at + days(1),
        }
        with pytest.raises(sa.exc.IntegrityError, match="fk_sessions_course_patient"):
            async with db.begin_nested():
                await db.execute(sa.insert(sessions).values(**someone_else))
