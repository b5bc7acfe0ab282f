"""The booking benchmark's floors: validate the booking body, insert one row, answer 201.

    BASELINE_DATABASE_URL=postgresql+asyncpg://... python bench/baseline_app.py PORT

`POST /raw` inserts with raw asyncpg (a pool, one prepared INSERT); `POST /orm` does the same
through the SQLAlchemy ORM (a mapped class, session.add, commit). Served exactly as the services
are (clinic_shared.serve: uvicorn, 1 worker, uvloop + httptools, no access log).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

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
    starts_at timestamptz NOT NULL, created_at timestamptz NOT NULL)"""
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


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global pool
    pool = await asyncpg.create_pool(URL.replace("+asyncpg", ""), min_size=10, max_size=20)
    await pool.execute(TABLE)
    yield
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
