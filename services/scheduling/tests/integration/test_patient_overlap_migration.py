"""Revision 0006: sessions learn their course's patient; overlaps already stored stop it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from clinic_shared.db import Database
from clinic_shared.migrations import alembic_config

AT = datetime(2030, 3, 4, 9, tzinfo=UTC)
PATIENT, OTHER = uuid.uuid4(), uuid.uuid4()
PRACTITIONERS = [uuid.uuid4(), uuid.uuid4()]
ROOMS = [uuid.uuid4(), uuid.uuid4()]


@pytest.fixture
def database_url(postgres_databases) -> str:
    name = f"patient_overlap_{uuid.uuid4().hex[:8]}"
    return str(asyncio.run(postgres_databases.fresh(name, metadata=sa.MetaData())))


def _migrate(url: str, revision: str) -> None:
    command.upgrade(alembic_config("scheduling:migrations", url), revision)


def _downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config("scheduling:migrations", url), revision)


async def _run(db: Database, sql: str, rows: list[dict[str, object]] | None = None) -> list:
    async with db.session() as session, session.begin():
        result = await session.execute(sa.text(sql), rows or {})
        return list(result.all()) if result.returns_rows else []


async def _staff_and_courses(db: Database) -> list[uuid.UUID]:
    """As revision 0005 stores them: two patients, two practitioners and rooms, three courses
    (two of the first patient's, with different practitioners)."""
    await _run(
        db,
        "INSERT INTO patients (id, first_name, last_name, language, preferred_channel, "
        "consent_sms, consent_email, created_at) VALUES (:id, 'A', 'B', 'en', 'email', false, "
        "false, :at)",
        [{"id": p, "at": AT} for p in (PATIENT, OTHER)],
    )
    await _run(
        db,
        "INSERT INTO practitioners (id, name, created_at) VALUES (:id, :name, :at)",
        [{"id": p, "name": f"P{i}", "at": AT} for i, p in enumerate(PRACTITIONERS)],
    )
    await _run(
        db,
        "INSERT INTO rooms (id, name, created_at) VALUES (:id, :name, :at)",
        [{"id": r, "name": f"R{i}", "at": AT} for i, r in enumerate(ROOMS)],
    )
    courses = [uuid.uuid4() for _ in range(3)]
    owners = [(PATIENT, PRACTITIONERS[0]), (PATIENT, PRACTITIONERS[1]), (OTHER, PRACTITIONERS[1])]
    await _run(
        db,
        "INSERT INTO courses (id, patient_id, treatment_code, practitioner_id, "
        "sessions_planned, status, created_at) VALUES (:id, :patient, 'cellulite-thighs', "
        ":practitioner, 10, 'active', :at)",
        [
            {"id": c, "patient": p, "practitioner": pr, "at": AT}
            for c, (p, pr) in zip(courses, owners, strict=True)
        ],
    )
    return courses


async def _session(db: Database, course: uuid.UUID, lane: int, start: datetime, status: str):
    session_id = uuid.uuid4()
    await _run(
        db,
        "INSERT INTO sessions (id, course_id, sequence, practitioner_id, room_id, starts_at, "
        "ends_at, status, stock_at_risk, created_at, updated_at) VALUES (:id, :course, 1, "
        ":practitioner, :room, :start, :end, :status, false, :at, :at)",
        [
            {
                "id": session_id,
                "course": course,
                "practitioner": PRACTITIONERS[lane],
                "room": ROOMS[lane],
                "start": start,
                "end": start + timedelta(minutes=30),
                "status": status,
                "at": AT,
            }
        ],
    )
    return session_id


async def test_upgrading_gives_each_session_its_courses_patient(database_url: str) -> None:
    await asyncio.to_thread(_migrate, database_url, "0005")
    db = Database(database_url)
    try:
        mine, also_mine, theirs = await _staff_and_courses(db)
        await _session(db, mine, 0, AT, "booked")
        await _session(db, also_mine, 1, AT, "cancelled")  # a cancelled overlap holds nothing
        await _session(db, theirs, 1, AT + timedelta(hours=1), "completed")

        await asyncio.to_thread(_migrate, database_url, "0006")

        rows = await _run(
            db,
            "SELECT s.patient_id = c.patient_id, s.patient_id FROM sessions s "
            "JOIN courses c ON c.id = s.course_id",
        )
        assert [r[0] for r in rows] == [True, True, True]
        assert sorted(str(r[1]) for r in rows) == sorted(map(str, [PATIENT, PATIENT, OTHER]))
        await asyncio.to_thread(_downgrade, database_url, "0005")
        columns = await _run(
            db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'sessions'"
        )
        assert "patient_id" not in {c[0] for c in columns}
    finally:
        await db.dispose()


async def test_upgrading_stops_naming_a_patients_overlapping_sessions(database_url: str) -> None:
    await asyncio.to_thread(_migrate, database_url, "0005")
    db = Database(database_url)
    try:
        mine, also_mine, _ = await _staff_and_courses(db)
        first = await _session(db, mine, 0, AT, "completed")
        second = await _session(db, also_mine, 1, AT + timedelta(minutes=15), "booked")

        with pytest.raises(RuntimeError, match="cancel or move one session of each pair") as exc:
            await asyncio.to_thread(_migrate, database_url, "0006")

        assert str(first) in str(exc.value)
        assert str(second) in str(exc.value)
        version = await _run(db, "SELECT version_num FROM alembic_version")
        assert version == [("0005",)]
    finally:
        await db.dispose()
