"""Async SQLAlchemy engines for PostgreSQL (asyncpg) and SQLite (aiosqlite), and UTC timestamps."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Table, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and serialised write transactions.

    Its errors leave the statement's parameters out (`hide_parameters`): an error is logged, and
    a parameter may be a patient's contact or a token.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No pool_pre_ping: on asyncpg it costs every checkout three round trips (BEGIN, ";",
        # ROLLBACK), a fifth of a booking's. A connection the server dropped fails its first
        # statement instead; SQLAlchemy invalidates it, the request rolls back and answers 503
        # (`database_unavailable`), consumers retry, and the pool opens a fresh one next time.
        #
        # Every connection it opens is kept (at most twice `pool_size`, as before): with overflow
        # connections, returns under load outpace the waiters' wake-ups, the pool's queue is
        # briefly full and each overflow connection was closed and reopened at once (a connect
        # and its statements prepared again, in a booking's path).
        return create_async_engine(
            url, pool_size=2 * pool_size, max_overflow=0, echo=echo, hide_parameters=True
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, hide_parameters=True)
    _serialise_sqlite_transactions(engine)
    return engine


def _serialise_sqlite_transactions(engine: AsyncEngine) -> None:
    # A deferred SQLite transaction that reads and then writes fails with SQLITE_BUSY when another
    # connection wrote in between; BEGIN IMMEDIATE takes the write lock up front and waits for it.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# Deadlock, serialisation failure, too many clients, the server shutting down or terminating the
# backend (pg_terminate_backend), starting up; and class 08, connection exceptions.
TRANSIENT_SQLSTATES = {"40P01", "40001", "53300", "57P01", "57P02", "57P03"}


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database could not do the work now, not that it was wrong:
    the transaction was rolled back and the same work can be tried again."""
    if not isinstance(exc, DBAPIError):
        return isinstance(exc, ConnectionError)
    if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
        return True
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    return sqlstate in TRANSIENT_SQLSTATES or sqlstate.startswith("08")


class Database:
    """One service's engine and session factory."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> AsyncSession:
        return self.sessions()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def insert_for(dialect: str, table: Table) -> Any:
    """An INSERT for `table` that supports `on_conflict_do_*` on `dialect`."""
    return pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)


@functools.cache
def _insert_or_nothing(table: Table, dialect: str) -> Executable:
    """One statement per table and dialect: every consumed event runs one (its inbox claim), and
    building it costs more CPU than running it."""
    return insert_for(dialect, table).on_conflict_do_nothing()  # type: ignore[no-any-return]


async def insert_once(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """Insert the row unless one with the same unique key exists; True when it was inserted."""
    statement = _insert_or_nothing(table, session.get_bind().dialect.name)
    result = await session.execute(statement, values)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
