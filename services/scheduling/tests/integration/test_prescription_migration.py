"""Revision 0009: the courses opened before it get their first prescription revision, and the
catalogue's treatments say what their kits contain and what rules them out."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from clinic_shared.db import Database
from clinic_shared.migrations import alembic_config

AT = datetime(2030, 3, 4, 9, tzinfo=UTC)


@pytest.fixture
def database_url(postgres_databases) -> str:
    name = f"prescriptions_{uuid.uuid4().hex[:8]}"
    return str(asyncio.run(postgres_databases.fresh(name, metadata=sa.MetaData())))


def _migrate(url: str, revision: str) -> None:
    command.upgrade(alembic_config("scheduling:migrations", url), revision)


async def _run(db: Database, sql: str, rows: dict[str, object] | None = None) -> list:
    async with db.session() as session, session.begin():
        result = await session.execute(sa.text(sql), rows or {})
        return list(result.all()) if result.returns_rows else []


async def test_a_course_opened_before_has_its_first_revision(database_url: str) -> None:
    await asyncio.to_thread(_migrate, database_url, "0009")
    db = Database(database_url)
    try:
        patient, practitioner, course = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await _run(
            db,
            "INSERT INTO patients (id, first_name, last_name, language, preferred_channel, "
            "consent_sms, consent_email, created_at) VALUES (:id, 'A', 'B', 'en', 'email', "
            "false, false, :at)",
            {"id": patient, "at": AT},
        )
        await _run(
            db,
            "INSERT INTO practitioners (id, name, created_at) VALUES (:id, 'P', :at)",
            {"id": practitioner, "at": AT},
        )
        await _run(
            db,
            "INSERT INTO courses (id, patient_id, treatment_code, practitioner_id, "
            "sessions_planned, status, created_at) VALUES (:id, :patient, "
            "'cellulite-thighs-intensive', :practitioner, 12, 'active', :at)",
            {"id": course, "patient": patient, "practitioner": practitioner, "at": AT},
        )

        await asyncio.to_thread(_migrate, database_url, "0010")

        [revision] = await _run(
            db,
            "SELECT revision, sessions_planned, min_interval_days, max_interval_days, "
            "prescribed_at FROM prescriptions WHERE course_id = :id",
            {"id": course},
        )
        assert tuple(revision) == (1, 12, 7, 10, AT)
        [course_row] = await _run(
            db,
            "SELECT prescription_revision, kit_adjustments FROM courses WHERE id = :id",
            {"id": course},
        )
        assert tuple(course_row) == (1, {})
        [thighs] = await _run(
            db, "SELECT contains, contraindications FROM treatments WHERE code = 'cellulite-thighs'"
        )
        assert "lidocaine" in thighs[0]
        assert "pregnancy" in thighs[1]
    finally:
        await db.dispose()
