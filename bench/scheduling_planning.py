"""Planning a 10-session course with 1,000 and with 100,000 sessions of history, on PostgreSQL.

Run: `uv run python bench/scheduling_planning.py` (local PostgreSQL, or BENCH_DATABASE_URL).
Prints a table and writes bench/results/scheduling_planning.json. The figure that matters is the
ratio of the two medians, measured in the same run: planning must read only its own window, so
100,000 rows of history may cost at most 1.5x what 1,000 cost.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import sqlalchemy as sa

from clinic_shared import migrations
from clinic_shared.db import Database, utcnow
from clinic_shared.outbox import UnitOfWork
from scheduling.adapters.orm import (
    courses,
    outbox,
    patients,
    practitioners,
    rooms,
    sessions,
    working_hours,
)
from scheduling.domain.audit import SYSTEM
from scheduling.service_layer import courses as course_cases
from scheduling.service_layer.scope import Clinic, Scope

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "clinic_bench_scheduling"
PRACTITIONERS, ROOMS, REPEATS = 20, 5, 30
ZONE_NAME = "Europe/Paris"


async def fresh_database() -> str:
    conn = await asyncpg.connect(ADMIN_URL)
    await conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    await conn.execute(f"CREATE DATABASE {DB_NAME}")
    await conn.close()
    url = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{url}/{DB_NAME}"
    await asyncio.to_thread(migrations.upgrade, "scheduling:migrations", url)
    return url


async def seed_staff(db: Database) -> tuple[list[uuid.UUID], list[uuid.UUID], list[uuid.UUID]]:
    """Practitioners, rooms and one patient per room (a patient is in one session at a time);
    the first patient's courses are the ones planned."""
    now = utcnow()
    staff = [uuid.uuid4() for _ in range(PRACTITIONERS)]
    room_ids = [uuid.uuid4() for _ in range(ROOMS)]
    patient_ids = [uuid.uuid4() for _ in range(ROOMS)]
    async with db.session() as s, s.begin():
        await s.execute(
            sa.insert(practitioners),
            [
                {"id": p, "name": f"P{i}", "email": None, "created_at": now}
                for i, p in enumerate(staff)
            ],
        )
        await s.execute(
            sa.insert(working_hours),
            [
                {
                    "practitioner_id": p,
                    "weekday": d,
                    "start": datetime.min.time().replace(hour=8),
                    "end": datetime.min.time().replace(hour=20),
                }
                for p in staff
                for d in range(6)
            ],
        )
        await s.execute(
            sa.insert(rooms),
            [{"id": r, "name": f"R{i}", "created_at": now} for i, r in enumerate(room_ids)],
        )
        await s.execute(
            sa.insert(patients),
            [
                {
                    "id": patient,
                    "first_name": "B",
                    "last_name": "B",
                    "phone": None,
                    "email": f"b{i}@example.com",
                    "language": "en",
                    "preferred_channel": "email",
                    "consent_sms": False,
                    "consent_email": True,
                    "created_at": now,
                }
                for i, patient in enumerate(patient_ids)
            ],
        )
    return staff, room_ids, patient_ids


async def add_history(
    db: Database,
    staff: list[uuid.UUID],
    room_ids: list[uuid.UUID],
    patient_ids: list[uuid.UUID],
    begin: int,
    end: int,
) -> None:
    """Completed sessions number begin..end over the past year, across practitioners and rooms:
    ROOMS sessions at a time, one per room, each room's of its own patient."""
    now = utcnow()
    start = now - timedelta(days=365)
    per_course = 10
    current: dict[int, dict[str, object]] = {}  # each room's patient's course being filled
    async with db.session() as s, s.begin():
        for first in range(begin, end, 5000):
            batch = range(first, min(end, first + 5000))
            course_rows, session_rows = [], []
            for i in batch:
                lane, turn = i % ROOMS, i // ROOMS
                if turn % per_course == 0 or lane not in current:
                    current[lane] = {
                        "id": uuid.uuid4(),
                        "patient_id": patient_ids[lane],
                        "treatment_code": "cellulite-arms",
                        "practitioner_id": staff[(turn // per_course) % PRACTITIONERS],
                        "sessions_planned": per_course,
                        "status": "completed",
                        "created_at": start,
                    }
                    course_rows.append(current[lane])
                slot = start + timedelta(minutes=15 * turn)
                session_rows.append(
                    {
                        "id": uuid.uuid4(),
                        "course_id": current[lane]["id"],
                        "patient_id": patient_ids[lane],
                        "sequence": turn % per_course + 1,
                        "practitioner_id": staff[i % PRACTITIONERS],
                        "room_id": room_ids[lane],
                        "starts_at": slot,
                        "ends_at": slot + timedelta(minutes=15),
                        "status": "completed",
                        "stock_at_risk": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            if course_rows:
                await s.execute(sa.insert(courses), course_rows)
            await s.execute(sa.insert(sessions), session_rows)
    async with db.engine.begin() as conn:
        await conn.execute(sa.text("ANALYZE sessions"))


async def time_planning(db: Database, staff: list[uuid.UUID], patient: uuid.UUID) -> list[float]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(ZONE_NAME)
    timings = []
    for _ in range(REPEATS):
        async with UnitOfWork(db, outbox, producer="bench") as uow:
            scope = Scope(uow, Clinic(zone=zone, now=utcnow()), SYSTEM)
            opened = await course_cases.open_course(
                scope,
                patient_id=patient,
                treatment_code="cellulite-thighs",
                practitioner_id=staff[0],
                sessions_planned=10,
                by="bench",
            )
            began = time.perf_counter()
            plan = await course_cases.plan(scope, opened.course.id, course_cases.PlanOptions())
            timings.append(time.perf_counter() - began)
            assert len(plan) == 10
            # rolled back: every repeat plans against the same history
    return timings


async def main() -> None:
    url = await fresh_database()
    db = Database(url)
    staff, room_ids, patient_ids = await seed_staff(db)
    patient = patient_ids[0]
    results = {}
    done = 0
    for size in (1_000, 100_000):
        await add_history(db, staff, room_ids, patient_ids, done, size)
        done = size
        await time_planning(db, staff, patient)  # warm-up
        timings = await time_planning(db, staff, patient)
        results[size] = {
            "median_ms": statistics.median(timings) * 1000,
            "p90_ms": sorted(timings)[int(0.9 * len(timings))] * 1000,
        }
    await db.dispose()
    ratio = results[100_000]["median_ms"] / results[1_000]["median_ms"]
    print(f"{'history':>10} {'median ms':>10} {'p90 ms':>8}")
    for size, r in results.items():
        print(f"{size:>10,} {r['median_ms']:>10.2f} {r['p90_ms']:>8.2f}")
    print(f"ratio 100k/1k: {ratio:.2f} (target <= 1.5)")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "scheduling_planning.json").write_text(
        json.dumps(
            {"results": results, "ratio": ratio, "at": datetime.now(UTC).isoformat()}, indent=2
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
