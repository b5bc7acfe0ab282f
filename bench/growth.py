"""Section 3: course planning and the stock forecast with 1,000 and 100,000 rows of history.

Planning: bench/scheduling_planning.py's course of 10 sessions, planned against 1,000 and against
100,000 completed sessions. Forecast: the stock view (every product's forecast, 50 products,
1,000 upcoming booked sessions) with 1,000 and with 100,000 completed sessions of finished
courses behind it. Each size has its own database and the sizes are timed in turn, ROUNDS times,
so the machine's load drifts alike for both; the figure is the ratio of medians, 100k over 1k.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import asyncpg
from common import dsn_of, median, scratch_databases
from inventory_forecast import fill, timed
from scheduling_planning import add_history, seed_staff, time_planning

from clinic_shared import migrations
from clinic_shared.db import Database

SIZES = (1_000, 100_000)
ROUNDS = 5


async def alternate(timers: dict[int, Callable[[], Awaitable[list[float]]]]) -> dict[int, float]:
    """Median ms of each size, timing the sizes in turn, ROUNDS times (load drifts alike)."""
    times: dict[int, list[float]] = {size: [] for size in timers}
    for _ in range(ROUNDS):
        for size, timer in timers.items():
            times[size] += await timer()
    return {size: median(t) * 1000 for size, t in times.items()}


async def planning(urls: dict[int, str]) -> dict[str, Any]:
    """One database per history size, so the sizes can be timed alternately."""
    timers, dbs = {}, []
    for size, url in urls.items():
        await asyncio.to_thread(migrations.upgrade, "scheduling:migrations", url)
        db = Database(url)
        staff, rooms, patient_ids = await seed_staff(db)
        await add_history(db, staff, rooms, patient_ids, 0, size)
        patient = patient_ids[0]
        await time_planning(db, staff, patient)  # warm-up
        timers[size] = partial(time_planning, db, staff, patient)
        dbs.append(db)
    medians = await alternate(timers)
    for db in dbs:
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


async def forecast(urls: dict[int, str]) -> dict[str, Any]:
    timers, dbs = {}, []
    for size, url in urls.items():
        await asyncio.to_thread(migrations.upgrade, "inventory:migrations", url)
        db = Database(url)
        await fill(db, 1_000, 50)
        await add_finished_courses(dsn_of(url), 0, size)
        await timed(db, None, 2)  # warm-up
        timers[size] = partial(seconds_of_stock_view, db)
        dbs.append(db)
    medians = await alternate(timers)
    for db in dbs:
        await db.dispose()
    return {"median_ms": medians, "ratio": medians[SIZES[1]] / medians[SIZES[0]]}


async def seconds_of_stock_view(db: Database) -> list[float]:
    return [await timed(db, None, 1) / 1000 for _ in range(3)]


async def run() -> dict[str, Any]:
    labels = [f"{kind}{size}" for kind in ("plan", "stock") for size in SIZES]
    async with scratch_databases(*labels) as urls:
        return {
            "planning": await planning({n: urls[f"plan{n}"] for n in SIZES}),
            "forecast": await forecast({n: urls[f"stock{n}"] for n in SIZES}),
        }
