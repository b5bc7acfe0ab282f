"""Forecast time for 10,000 booked sessions over 50 products.

    uv run python bench/inventory_forecast.py --sessions 10000 --products 50

Migrates a throwaway PostgreSQL database, writes the catalogue, 3 lots per product, courses of
10 sessions and N booked sessions over the next 90 days with their reservations (5 products per
kit), then times the stock view (every product's forecast) and one product's forecast.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from inventory_common import scratch_database

from clinic_shared import migrations
from clinic_shared.db import Database
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.orm import (
    courses,
    kit_items,
    lots,
    outbox,
    products,
    reservations,
    sessions,
)
from inventory.domain.lots import lot_key
from inventory.service_layer.forecasting import outlooks
from inventory.service_layer.scope import ForecastSettings, Scope
from inventory.settings import InventorySettings

SETTINGS = ForecastSettings(days=60, expiry_warning_days=30, course_pace_days=10)


def lot_rows(codes: list[str], per_lot: int, today: date, now: datetime) -> list[dict[str, Any]]:
    """Three lots per product, expiring in 30, 60 and 90 days."""
    return [
        {
            "id": uuid.uuid4(),
            "product_code": c,
            "lot_number": f"{c}-{k}",
            "lot_key": lot_key(f"{c}-{k}"),
            "quantity": per_lot,
            "reserved": 0,
            "consumed": 0,
            "status": "available",
            "received_at": now,
            "expires_on": today + timedelta(days=30 * (k + 1)),
        }
        for c in codes
        for k in range(3)
    ]


def session_row(i: int, treatment: str, day: date, now: datetime) -> dict[str, Any]:
    return {
        "session_id": uuid.uuid4(),
        "course_id": uuid.UUID(int=i // 10 + 1),  # courses of 10 booked sessions, 12 planned
        "patient_id": uuid.uuid4(),
        "treatment_code": treatment,
        "sequence": i % 10 + 1,
        "sessions_planned": 12,
        "starts_at": datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9),
        "session_on": day,
        "status": "booked",
        "as_of": now,
    }


async def fill(db: Database, n_sessions: int, n_products: int) -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible bench data, nothing secret
    today, now = date.today(), datetime.now(UTC)
    codes = [f"p{i:02d}" for i in range(n_products)]
    kits = {f"t{i:02d}": rng.sample(codes, 5) for i in range(20)}
    lots_ = lot_rows(codes, 10 * n_sessions, today, now)
    longest = {r["product_code"]: r["id"] for r in lots_ if r["lot_number"].endswith("-2")}
    booked = [
        session_row(i, f"t{i // 10 % 20:02d}", today + timedelta(days=rng.randrange(90)), now)
        for i in range(n_sessions)
    ]
    held = [
        {
            "id": uuid.uuid4(),
            "session_id": row["session_id"],
            "product_code": p,
            "lot_id": longest[p],
            "quantity": 1,
            "status": "reserved",
            "created_at": now,
        }
        for row in booked
        for p in kits[row["treatment_code"]]
    ]
    catalogue = [
        {
            "code": c,
            "name": c,
            "unit": "vial",
            "volume_ml": 5.0,
            "lead_time_days": 7,
            "safety_stock": 10,
            "review_period_days": 14,
        }
        for c in codes
    ]
    course_rows = {
        row["course_id"]: {
            "course_id": row["course_id"],
            "treatment_code": row["treatment_code"],
            "sessions_planned": row["sessions_planned"],
            "status": "active",
        }
        for row in booked
    }
    kit_rows = [
        {"treatment_code": t, "product_code": p, "quantity": 1}
        for t, ps in kits.items()
        for p in ps
    ]
    async with db.engine.begin() as conn:
        await conn.execute(sa.delete(kit_items))
        await conn.execute(sa.delete(products))
        for table, rows in (
            (products, catalogue),
            (kit_items, kit_rows),
            (lots, lots_),
            (courses, list(course_rows.values())),
            (sessions, booked),
            (reservations, held),
        ):
            await conn.execute(sa.insert(table), rows)
        await conn.execute(sa.text("ANALYZE"))


async def timed(db: Database, only: str | None, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        async with UnitOfWork(db, outbox, producer="bench") as uow:
            started = time.perf_counter()
            codes = None if only is None else {only}
            await outlooks(Scope(uow, InventorySettings()), date.today(), SETTINGS, only=codes)
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def run(n_sessions: int, n_products: int) -> None:
    async with scratch_database() as url:
        await asyncio.to_thread(migrations.upgrade, "inventory:migrations", url)
        db = Database(url)
        await fill(db, n_sessions, n_products)
        every = await timed(db, None, 5)
        one = await timed(db, "p00", 5)
        await db.dispose()
    print(f"{n_sessions} booked sessions, {n_products} products, 60-day horizon, PostgreSQL")
    print(f"stock view (every product's forecast): {every:.0f} ms median of 5")
    print(f"one product's forecast: {one:.0f} ms median of 5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(run(args.sessions, args.products))


if __name__ == "__main__":
    main()
