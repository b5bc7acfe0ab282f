"""Booking throughput: POST /v1/sessions at 32 concurrent clients, on PostgreSQL.

Run: `uv run python bench/scheduling_booking.py [--bookings 2000]`. The app runs in this process
behind httpx's ASGI transport (no socket, no HTTP parser): the figure is what the service and
PostgreSQL allow; issue 8's benchmark adds the server and the raw-asyncpg baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import asyncpg
import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from clinic_shared.db import utcnow
from clinic_shared.testing.helpers import bearer, running
from scheduling.adapters.orm import courses, patients, practitioners, rooms, working_hours
from scheduling.bootstrap import build_app
from scheduling.settings import SchedulingSettings

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = "clinic_bench_booking"
CLIENTS = 32


async def fresh() -> str:
    conn = await asyncpg.connect(ADMIN_DSN)
    await conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    await conn.execute(f"CREATE DATABASE {DB}")
    await conn.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DB}"


async def seed(app: FastAPI, bookings: int) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """One practitioner and room per client; one new course per booking."""
    now = utcnow()
    lanes = [(uuid.uuid4(), uuid.uuid4()) for _ in range(CLIENTS)]
    patient = uuid.uuid4()
    work: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = []
    async with app.state.runtime.db.session() as s, s.begin():
        await s.execute(
            sa.insert(practitioners),
            [
                {"id": p, "name": f"P{i}", "email": None, "created_at": now}
                for i, (p, _) in enumerate(lanes)
            ],
        )
        await s.execute(
            sa.insert(working_hours),
            [
                {"practitioner_id": p, "weekday": d, "start": clock(0), "end": clock(23, 59)}
                for p, _ in lanes
                for d in range(7)
            ],
        )
        await s.execute(
            sa.insert(rooms),
            [{"id": r, "name": f"R{i}", "created_at": now} for i, (_, r) in enumerate(lanes)],
        )
        await s.execute(
            sa.insert(patients).values(
                id=patient,
                first_name="B",
                last_name="B",
                phone=None,
                email="b@example.com",
                language="en",
                preferred_channel="email",
                consent_sms=False,
                consent_email=True,
                created_at=now,
            )
        )
        rows = []
        for i in range(bookings):
            practitioner, room = lanes[i % CLIENTS]
            course = uuid.uuid4()
            rows.append(
                {
                    "id": course,
                    "patient_id": patient,
                    "treatment_code": "cellulite-arms",
                    "practitioner_id": practitioner,
                    "sessions_planned": 8,
                    "status": "active",
                    "created_at": now,
                }
            )
            work.append((course, room, practitioner))
        await s.execute(sa.insert(courses), rows)
    return work


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=2000)
    args = parser.parse_args()
    settings = SchedulingSettings(database_url=await fresh(), outbox_poll_seconds=0.2)
    app = build_app(settings)
    async with running(app) as client:
        work = await seed(app, args.bookings)
        start_day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        headers = bearer("receptionist")
        latencies: list[float] = []
        queue: asyncio.Queue[tuple[int, tuple[uuid.UUID, uuid.UUID, uuid.UUID]]] = asyncio.Queue()
        for item in enumerate(work):
            queue.put_nowait(item)

        async def worker() -> None:
            while not queue.empty():
                i, (course, room, _) = queue.get_nowait()
                slot = start_day + timedelta(days=2, minutes=30 * (i // CLIENTS))
                body = {
                    "course_id": str(course),
                    "starts_at": slot.isoformat(),
                    "room_id": str(room),
                }
                began = time.perf_counter()
                response: httpx.Response = await client.post(
                    "/v1/sessions", json=body, headers=headers
                )
                latencies.append(time.perf_counter() - began)
                assert response.status_code == 201, response.text

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    result = {
        "bookings": args.bookings,
        "clients": CLIENTS,
        "per_second": args.bookings / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(0.99 * len(latencies))] * 1000,
        "at": datetime.now(UTC).isoformat(),
    }
    print(json.dumps(result, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "scheduling_booking.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
