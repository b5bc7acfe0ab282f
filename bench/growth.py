"""Section 3: course planning and the stock forecast with 1,000 and 100,000 rows of history.

Planning: bench/scheduling_planning.py's course of 10 sessions, planned against 1,000 and then
100,000 completed sessions. Forecast: the stock view (every product's forecast, 50 products,
1,000 upcoming booked sessions) with 1,000 and then 100,000 completed sessions of finished
courses behind it. The figure is each ratio of medians, 100k over 1k, measured in one run.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import sqlalchemy as sa
from common import dsn_of, median, scratch_databases
from inventory_forecast import fill, timed
from scheduling_planning import add_history, seed_staff, time_planning

from clinic_shared import migrations
from clinic_shared.db import Database

SIZES = (1_000, 100_000)


async def planning(url: str) -> dict[str, Any]:
    await asyncio.to_thread(migrations.upgrade, "scheduling:migrations", url)
    db = Database(url)
    staff, rooms, patient = await seed_staff(db)
    medians, done = {}, 0
    for size in SIZES:
        await add_history(db, staff, rooms, patient, done, size)
        done = size
        await time_planning(db, staff, patient)  # warm-up
        medians[size] = median(await time_planning(db, staff, patient)) * 1000
    await db.dispose()
    return {"median_ms": medians, "ratio": medians[SIZES[1]] / medians[SIZES[0]]}


async def add_finished_courses(dsn: str, begin: int, end: int) -> None:
    """Completed sessions begin..end over the past year, 10 per finished course."""
    rng = random.Random(begin)  # noqa: S311 - reproducible bench data
    today, now = date.today(), datetime.now(UTC)
    course_rows, session_rows = [], []
    for i in range(begin, end):
        if i % 10 == 0 or not course_rows:
            course_rows.append((uuid.uuid4(), f"t{i // 10 % 20:02d}", 10, "completed"))
        day = today - timedelta(days=1 + rng.randrange(365))
        session_rows.append(
            (uuid.uuid4(), course_rows[-1][0], uuid.uuid4(), course_rows[-1][1], i % 10 + 1, 10,
             datetime.combine(day, datetime.min.time(), UTC), day, "completed", now)
        )  # fmt: skip
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "courses", records=course_rows,
            columns=["course_id", "treatment_code", "sessions_planned", "status"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "sessions", records=session_rows,
            columns=["session_id", "course_id", "patient_id", "treatment_code", "sequence",
                     "sessions_planned", "starts_at", "session_on", "status", "as_of"],
        )  # fmt: skip
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def forecast(url: str) -> dict[str, Any]:
    await asyncio.to_thread(migrations.upgrade, "inventory:migrations", url)
    db = Database(url)
    await fill(db, 1_000, 50)
    medians, done = {}, 0
    for size in SIZES:
        await add_finished_courses(dsn_of(url), done, size)
        done = size
        await timed(db, None, 2)  # warm-up
        medians[size] = await timed(db, None, 9)
    async with db.engine.connect() as conn:
        history = await conn.scalar(sa.text("SELECT count(*) FROM sessions"))
    await db.dispose()
    return {
        "median_ms": medians,
        "ratio": medians[SIZES[1]] / medians[SIZES[0]],
        "sessions_in_table": history,
    }


async def run() -> dict[str, Any]:
    async with scratch_databases("scheduling", "inventory") as urls:
        return {
            "planning": await planning(urls["scheduling"]),
            "forecast": await forecast(urls["inventory"]),
        }
