"""Fifty receptionists booking one practitioner's slot at once on PostgreSQL: one wins."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from scheduling.adapters.orm import sessions

from .conftest import MONDAY, Clinic, local


async def test_fifty_concurrent_bookings_of_one_slot_make_one_session(clinic: Clinic) -> None:
    courses = []
    for i in range(50):
        patient = await clinic.new_patient(f"P{i}")
        response = await clinic.post(
            "/v1/courses",
            {
                "patient_id": patient,
                "treatment_code": "cellulite-arms",
                "practitioner_id": clinic.practitioner,
            },
        )
        courses.append(response.json()["id"])

    answers = await asyncio.gather(
        *(clinic.book(course, local(MONDAY, 10), room=i % 2) for i, course in enumerate(courses))
    )

    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 49
    winner = next(a.json()["id"] for a in answers if a.status_code == 201)
    losers = [a.json() for a in answers if a.status_code == 409]
    assert {body["conflicting_session_id"] for body in losers} == {winner}
    async with clinic.app.state.runtime.db.session() as db:
        rows = (await db.execute(sa.select(sessions.c.id))).all()
    assert [str(r.id) for r in rows] == [winner]


async def test_overlap_is_refused_by_the_database_itself(clinic: Clinic) -> None:
    first = await clinic.book_ok(await clinic.course(), local(MONDAY, 10))
    async with clinic.app.state.runtime.db.session() as db, db.begin():
        row = (await db.execute(sa.select(sessions).where(sessions.c.id == first["id"]))).one()
        clash = dict(row._mapping) | {"id": uuid.uuid4(), "course_id": row.course_id}
        with pytest.raises(sa.exc.IntegrityError, match="no_overlap"):
            await db.execute(sa.insert(sessions).values(**clash))
