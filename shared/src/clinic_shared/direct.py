"""Hot statements run on asyncpg itself, inside the session's own transaction.

On the busiest paths (a booking, a consumed event's inbox claim, an outbox row) SQLAlchemy's work
per execution costs more CPU than the statement: through an `AsyncSession`, a transaction of
three one-row statements took 0.99 ms of CPU where the same statements sent on the asyncpg
connection under the same pool took 0.30 ms (measured on this project's 2-core machine).

`Direct(statement)` compiles a Core statement once for the asyncpg dialect and sends it on the
driver connection the session holds, with the column types' own bind and result processors,
so rows read back as SQLAlchemy would give them. It takes part in the session's transaction: it
begins it if nothing has yet, and the session's commit or rollback ends it. Errors are raised as
SQLAlchemy's (`IntegrityError`, `OperationalError` ..., the connection invalidated when it is
gone), so callers and the error handlers see what they would see from `session.execute`.

This leans on three private attributes of SQLAlchemy's asyncpg adapter
(`AsyncAdapt_asyncpg_connection`): `_transaction` and `_start_transaction`, because the adapter
begins its transaction lazily, at the first statement it runs itself; and `_handle_exception`,
which turns an asyncpg error into the DBAPI error SQLAlchemy wraps.
`shared/tests/integration/test_direct.py` fails if any of them changes under an upgrade
(rollback, types read back, IntegrityError, a terminated backend answered as a lost connection,
a statement cancelled while it begins its transaction).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.expression import Executable

from clinic_shared.tracing import statement_span

_REQUIRED = object()


class _Compiled:
    """One statement compiled for one asyncpg dialect: its SQL, its arguments in order, the
    processors of its parameters and of its result's columns."""

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.arguments: list[tuple[str, Any, Callable[[Any], Any] | None]] = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            if bind.expanding or bind.literal_execute or callable(bind.callable):
                raise ValueError(f"{name}: a direct statement takes plain parameters only")
            fixed = _REQUIRED if bind.required else bind.effective_value
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            self.arguments.append((name, fixed, processor))
        # What a SELECT selects, what an INSERT ... RETURNING returns; none for a textual one.
        columns: list[Any] = list(getattr(statement, "exported_columns", None) or [])
        # A textual statement names its columns only in what it returns: read from the first row.
        self.row: type | None = _row_type([c.key for c in columns]) if columns else None
        self.results = [
            (i, p)
            for i, c in enumerate(columns)
            if (p := c.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        ]

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, fixed, processor in self.arguments:
            value = params[name] if fixed is _REQUIRED else fixed
            values.append(processor(value) if processor is not None else value)
        return values

    def rows(self, records: Sequence[Any]) -> list[Any]:
        if not records:
            return []
        if self.row is None:
            self.row = _row_type(list(records[0].keys()))
        if not self.results:
            return [self.row(*record) for record in records]
        found = []
        for record in records:
            values = list(record)
            for i, processor in self.results:
                values[i] = processor(values[i])
            found.append(self.row(*values))
        return found


def _row_type(names: list[str]) -> type:
    """A row class: a named tuple with SQLAlchemy's `_mapping` view, for code written to either."""
    base: Any = namedtuple("Row", names, rename=True)  # type: ignore[misc]
    return type("Row", (base,), {"__slots__": (), "_mapping": property(base._asdict)})


class Direct:
    """A Core statement to run on asyncpg directly (see the module's docstring)."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: _Compiled | None = None
        self._dialect: Dialect | None = None

    def _for(self, dialect: Dialect) -> _Compiled:
        if self._dialect is not dialect:  # one engine per service: compiled once
            self._compiled, self._dialect = _Compiled(self.statement, dialect), dialect
        assert self._compiled is not None
        return self._compiled

    async def rows(
        self, session: AsyncSession, params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """The statement's rows (attribute and index access, as SQLAlchemy's rows)."""
        compiled, records = await self._send(session, [params or {}], many=False)
        return compiled.rows(records)

    async def run(self, session: AsyncSession, params: Mapping[str, Any] | None = None) -> None:
        await self.rows(session, params)

    async def run_many(self, session: AsyncSession, params: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per set of parameters (asyncpg pipelines them)."""
        if params:
            await self._send(session, params, many=True)

    async def _send(
        self, session: AsyncSession, params: Sequence[Mapping[str, Any]], *, many: bool
    ) -> tuple[_Compiled, Any]:
        conn = await session.connection()
        compiled = self._for(conn.dialect)
        args = [compiled.args(p) for p in params]
        adapted = None
        try:
            fairy = await conn.get_raw_connection()
            adapted = fairy.dbapi_connection
            if adapted._transaction is None:  # type: ignore[union-attr]
                await adapted._start_transaction()  # type: ignore[union-attr]
            driver: Any = fairy.driver_connection
            with statement_span(conn.sync_engine, compiled.sql):
                if many:
                    return compiled, await driver.executemany(compiled.sql, args)
                return compiled, await driver.fetch(compiled.sql, *args[0])
        except Exception as error:
            raise await _translated(conn, adapted, error, compiled.sql, args) from error
        except BaseException:
            # Cancelled mid-statement (a consumer's task when its channel closes, a request's
            # when it times out). Where it stopped is unknown: cancelled during BEGIN, asyncpg
            # still counts that transaction as open, so every later one on this connection would
            # be a savepoint in it, and its commit would commit nothing. SQLAlchemy discards the
            # connection of a statement so interrupted; so must we.
            await conn.invalidate()
            raise


async def _translated(
    conn: AsyncConnection, adapted: Any, error: Exception, sql: str, args: list[list[Any]]
) -> BaseException:
    """`error` as SQLAlchemy raises it from an execution: a DBAPIError subclass, the connection
    invalidated when it is gone (so the pool opens a fresh one, and the request answers 503)."""
    dialect = conn.dialect
    dbapi = dialect.loaded_dbapi
    dbapi_error: Exception = error
    if adapted is not None and not isinstance(error, dbapi.Error):
        try:
            adapted._handle_exception(error)
        except dbapi.Error as translated:
            dbapi_error = translated
        except Exception:  # not the database's error: raise it as it is
            return error
    if not isinstance(dbapi_error, dbapi.Error):
        return error
    gone = adapted is not None and dialect.is_disconnect(dbapi_error, adapted, None)
    if gone:
        await conn.invalidate()
    return sa.exc.DBAPIError.instance(
        sql,
        args,
        dbapi_error,
        dbapi.Error,
        hide_parameters=True,  # as the log audit wants: a parameter may be a contact
        connection_invalidated=gone,
        dialect=dialect,
    )
