"""The booking benchmark's floors: validate the booking body, insert one row, answer 201.

    BASELINE_DATABASE_URL=postgresql+asyncpg://... python bench/baseline_app.py PORT

`POST /raw` inserts with raw asyncpg (a pool, one prepared INSERT); `POST /orm` does the same
through the SQLAlchemy ORM (a mapped class, session.add, commit). `POST /raw-booking` is a
booking's shape on the bare drivers, with no rules, no auth and no framework of ours: in one
transaction lock the course's row, insert the session while reading the course's sessions,
insert the event's outbox row, commit; then publish the event to RabbitMQ with a confirm, as
the relay does (without marking the row published), after answering. Served exactly as the
services are (clinic_shared.serve: uvicorn, 1 worker, uvloop + httptools, no access log).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aio_pika
import asyncpg
import uvicorn
from fastapi import FastAPI, status
from sqlalchemy import DateTime, Uuid
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from clinic_shared.serve import uvicorn_config
from clinic_shared.settings import ServiceSettings
from scheduling.entrypoints.api.course_schemas import SessionCreate

URL = os.environ["BASELINE_DATABASE_URL"]
TABLE = """CREATE TABLE IF NOT EXISTS bench_bookings (
    id uuid PRIMARY KEY, course_id uuid NOT NULL, room_id uuid NOT NULL,
    starts_at timestamptz NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS bench_courses (id uuid PRIMARY KEY);
CREATE TABLE IF NOT EXISTS bench_outbox (id uuid PRIMARY KEY, type text NOT NULL,
    body text NOT NULL, created_at timestamptz NOT NULL)"""
# The course's row locked, as FOR UPDATE would (the bodies' courses live in scheduling's database).
LOCK_COURSE = (
    "INSERT INTO bench_courses VALUES ($1) ON CONFLICT (id) DO UPDATE SET id = excluded.id"
    " RETURNING id"
)
ADD_AND_READ = (
    "WITH added AS (INSERT INTO bench_bookings (id, course_id, room_id, starts_at, created_at)"
    " VALUES ($1, $2, $3, $4, $5)) SELECT id, starts_at FROM bench_bookings WHERE course_id = $2"
)
ADD_EVENT = "INSERT INTO bench_outbox VALUES ($1, 'scheduling.session.booked', $2, $3)"
AMQP_URL = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
INSERT = (
    "INSERT INTO bench_bookings (id, course_id, room_id, starts_at, created_at)"
    " VALUES ($1, $2, $3, $4, $5)"
)


class Base(DeclarativeBase):
    pass


class Booking(Base):
    __tablename__ = "bench_bookings"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    course_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    room_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


engine = create_async_engine(URL, pool_size=10, max_overflow=10)
sessions = async_sessionmaker(engine, expire_on_commit=False)
pool: asyncpg.Pool | None = None
exchange: aio_pika.abc.AbstractExchange | None = None
in_flight: set[asyncio.Task[object]] = set()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global pool, exchange
    pool = await asyncpg.create_pool(URL.replace("+asyncpg", ""), min_size=10, max_size=20)
    await pool.execute(TABLE)
    connection = await aio_pika.connect_robust(AMQP_URL)
    channel = await connection.channel(publisher_confirms=True)
    name = f"bench.baseline.{uuid.uuid4().hex[:8]}"
    exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, auto_delete=True)
    queue = await channel.declare_queue(
        name, durable=True, arguments={"x-queue-type": "quorum"}
    )  # routed to, so each publish is stored and confirmed as the services' are
    await queue.bind(exchange, "#")
    yield
    await queue.delete(if_unused=False, if_empty=False)
    await connection.close()
    await pool.close()
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/readyz")
async def ready() -> dict[str, str]:
    return {"status": "ready"}


@app.post("/raw", status_code=status.HTTP_201_CREATED)
async def raw(body: SessionCreate) -> dict[str, str]:
    assert pool is not None
    new = uuid.uuid4()
    await pool.execute(INSERT, new, body.course_id, body.room_id, body.starts_at, datetime.now(UTC))
    return {"id": str(new)}


@app.post("/raw-booking", status_code=status.HTTP_201_CREATED)
async def raw_booking(body: SessionCreate) -> dict[str, str]:
    assert pool is not None
    assert exchange is not None
    new, event, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        await conn.fetchval(LOCK_COURSE, body.course_id)
        await conn.fetch(ADD_AND_READ, new, body.course_id, body.room_id, body.starts_at, now)
        envelope = json.dumps(
            {"id": str(event), "session_id": str(new), "course_id": str(body.course_id),
             "room_id": str(body.room_id), "starts_at": body.starts_at.isoformat()}
        )  # fmt: skip
        await conn.execute(ADD_EVENT, event, envelope, now)
    message = aio_pika.Message(
        envelope.encode(), message_id=str(event), delivery_mode=aio_pika.DeliveryMode.PERSISTENT
    )
    # Published after the answer, as the relay publishes after the commit: the request does not
    # wait for the broker's confirm, and its CPU is spent on this core all the same.
    publishing = asyncio.create_task(
        exchange.publish(message, routing_key="scheduling.session.booked")
    )
    in_flight.add(publishing)
    publishing.add_done_callback(in_flight.discard)
    return {"id": str(new)}


@app.post("/orm", status_code=status.HTTP_201_CREATED)
async def orm(body: SessionCreate) -> dict[str, str]:
    booking = Booking(
        id=uuid.uuid4(),
        course_id=body.course_id,
        room_id=body.room_id,
        starts_at=body.starts_at,
        created_at=datetime.now(UTC),
    )
    async with sessions() as session, session.begin():
        session.add(booking)
    return {"id": str(booking.id)}


if __name__ == "__main__":
    settings = ServiceSettings(host="127.0.0.1", port=int(sys.argv[1]))
    uvicorn.Server(uvicorn_config(app, settings)).run()  # type: ignore[arg-type]
