"""Async SQLAlchemy engines for PostgreSQL (asyncpg), and UTC timestamps."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from asyncpg.exceptions import TargetServerAttributeNotMatched
from sqlalchemy import DateTime, Table, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeDecorator

from clinic_shared.pool import FairAsyncPool

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# libpq's list of hosts, `user@host1:5432,host2:5432/db`, which SQLAlchemy's URL parser refuses.
_HOST_LIST = re.compile(
    r"^(?P<head>[^:/]+://(?:[^@/]*@)?)(?P<hosts>[^/?@]*,[^/?@]*)(?P<tail>[/?].*)?$"
)


def engine_url(url: str) -> str:
    """`url` as SQLAlchemy's asyncpg dialect reads several hosts: each as a `host=` parameter.

    `postgresql+asyncpg://clinic@db1:5432,db2:5432/scheduling?target_session_attrs=read-write`
    becomes `postgresql+asyncpg://clinic@/scheduling?host=db1:5432&host=db2:5432&...`; asyncpg
    tries the hosts in turn and keeps the first that takes writes, on every new connection.
    """
    match = _HOST_LIST.match(url)
    if match is None:
        return url
    path, _, query = (match["tail"] or "/").partition("?")
    hosts = [h if ":" in h else f"{h}:5432" for h in match["hosts"].split(",")]
    params = "&".join([*(f"host={h}" for h in hosts), *([query] if query else [])])
    return f"{match['head']}{path}?{params}"


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """An engine for the PostgreSQL server at `url`.

    Its errors leave the statement's parameters out (`hide_parameters`): an error is logged, and
    a parameter may be a patient's contact or a token.
    """
    # No pool_pre_ping: on asyncpg it costs every checkout three round trips (BEGIN, ";",
    # ROLLBACK), a fifth of a booking's. A connection the server dropped fails its first
    # statement instead; SQLAlchemy invalidates it, the request rolls back and answers 503
    # (`database_unavailable`), consumers retry, and the pool opens a fresh one next time.
    #
    # Every connection it opens is kept (at most twice `pool_size`, as before): with overflow
    # connections, returns under load outpace the waiters' wake-ups, the pool's queue is
    # briefly full and each overflow connection was closed and reopened at once (a connect
    # and its statements prepared again, in a booking's path).
    #
    # Waiters are served in order (`FairAsyncPool`): SQLAlchemy's own asyncio pool lets a
    # newcomer take a connection meant for a waiter, which made the booking's p99 3.65 times its
    # p50 under load (issue 27).
    return create_async_engine(
        engine_url(url),
        poolclass=FairAsyncPool,
        pool_size=2 * pool_size,
        max_overflow=0,
        echo=echo,
        hide_parameters=True,
    )


# Deadlock, serialisation failure, too many clients, the server shutting down or terminating the
# backend (pg_terminate_backend), starting up; and class 08, connection exceptions.
TRANSIENT_SQLSTATES = {"40P01", "40001", "53300", "57P01", "57P02", "57P03"}


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database could not do the work now, not that it was wrong:
    the transaction was rolled back and the same work can be tried again."""
    cause = (exc.orig and exc.orig.__cause__) if isinstance(exc, DBAPIError) else exc
    if isinstance(cause, TargetServerAttributeNotMatched):
        return True  # every host answered, none takes writes yet: a failover under way
    if not isinstance(exc, DBAPIError):
        return isinstance(exc, ConnectionError)
    if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
        return True
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    return sqlstate in TRANSIENT_SQLSTATES or sqlstate.startswith("08")


class Database:
    """One service's engine and session factory."""

    def __init__(self, url: str, *, pool_size: int = 10, tracer: Tracer | None = None) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size)
        if tracer is not None:  # a client span per statement (see clinic_shared.tracing)
            from clinic_shared.tracing import trace_statements

            trace_statements(self.engine.sync_engine, tracer)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    def session(self) -> AsyncSession:
        return self.sessions()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


@functools.cache
def _insert_or_nothing(table: Table) -> Executable:
    """One statement per table: every consumed event runs one (its inbox claim), and building it
    costs more CPU than running it."""
    return pg_insert(table).on_conflict_do_nothing()


async def insert_once(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """Insert the row unless one with the same unique key exists; True when it was inserted."""
    result = await session.execute(_insert_or_nothing(table), values)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
