"""Direct statements: run on asyncpg, yet inside the session's transaction and with its errors.

These guard what `clinic_shared.direct` takes from SQLAlchemy's asyncpg adapter: were an upgrade
to change how the adapter begins its transaction, a direct statement would run in autocommit
and a refused booking would leave its session behind.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.db import Database, UTCDateTime, database_unavailable
from clinic_shared.direct import Direct
from clinic_testing.tcp_proxy import TcpProxy

from .conftest import Harness, notes

stamps = sa.Table(
    "direct_stamps",
    notes.metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("label", sa.String(20), nullable=False),
)
ADD_NOTE = Direct(sa.insert(notes).values(id=sa.bindparam("id"), text=sa.bindparam("text")))
ADD_STAMP = Direct(
    sa.insert(stamps)
    .values(id=sa.bindparam("id"), at=sa.bindparam("at"), label="fixed")
    .returning(stamps.c.id, stamps.c.at, stamps.c.label)
)
READ_STAMP = Direct(sa.select(stamps).where(stamps.c.id == sa.bindparam("id")))


async def _notes(harness: Harness) -> list[str]:
    async with harness.db.session() as session:
        return list((await session.scalars(sa.select(notes.c.text).order_by(notes.c.text))).all())


async def test_a_direct_write_is_undone_by_the_sessions_rollback(harness: Harness) -> None:
    async with harness.db.session() as session:
        await ADD_NOTE.run(session, {"id": "n1", "text": "rolled back"})
        seen = await session.scalar(sa.select(sa.func.count()).select_from(notes))
        assert seen == 1  # the session reads it: one transaction
        await session.rollback()
    assert await _notes(harness) == []

    async with harness.db.session() as session:
        await session.execute(sa.insert(notes).values(id="n2", text="first by the session"))
        await ADD_NOTE.run(session, {"id": "n3", "text": "then direct"})
        await session.commit()
    assert await _notes(harness) == ["first by the session", "then direct"]


async def test_rows_read_back_as_the_session_reads_them(harness: Harness) -> None:
    async with harness.db.engine.begin() as conn:
        await conn.run_sync(stamps.create, checkfirst=True)
    stamp_id = uuid.uuid4()
    at = datetime(2026, 11, 27, 9, 30, 15, 250_000, tzinfo=UTC)
    async with harness.db.session() as session:
        [added] = await ADD_STAMP.rows(session, {"id": stamp_id, "at": at})
        await session.commit()
    async with harness.db.session() as session:
        [direct] = await READ_STAMP.rows(session, {"id": stamp_id})
        by_session = (await session.execute(READ_STAMP.statement, {"id": stamp_id})).one()
    assert tuple(added) == tuple(direct) == tuple(by_session) == (stamp_id, at, "fixed")
    assert isinstance(direct.id, uuid.UUID)
    assert direct.at.tzinfo is not None
    assert direct.label == "fixed"


async def test_a_refused_write_raises_sqlalchemys_integrity_error(harness: Harness) -> None:
    async with harness.db.session() as session:
        await ADD_NOTE.run(session, {"id": "same", "text": "first"})
        await session.commit()
    async with harness.db.session() as session:
        with pytest.raises(sa.exc.IntegrityError) as refused:
            await ADD_NOTE.run(session, {"id": "same", "text": "second"})
        assert not database_unavailable(refused.value)
        assert "second" not in str(refused.value)  # parameters stay out of messages and logs
        await session.rollback()
        await ADD_NOTE.run(session, {"id": "other", "text": "after the refusal"})
        await session.commit()
    assert await _notes(harness) == ["after the refusal", "first"]


@pytest.mark.parametrize("bus_kind", ["rabbitmq"], indirect=True)
async def test_a_lost_connection_is_unavailable_and_the_pool_recovers(harness: Harness) -> None:
    async with harness.db.session() as session:
        pid = await session.scalar(sa.text("SELECT pg_backend_pid()"))
        async with harness.db.engine.connect() as other:
            await other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(sa.exc.DBAPIError) as lost:
            await ADD_NOTE.run(session, {"id": "n1", "text": "lost"})
        assert lost.value.connection_invalidated
        assert database_unavailable(lost.value)
        await session.rollback()
    async with harness.db.session() as session:
        await ADD_NOTE.run(session, {"id": "n2", "text": "on a fresh connection"})
        await session.commit()
    assert await _notes(harness) == ["on a fresh connection"]


@pytest.mark.parametrize("bus_kind", ["memory"], indirect=True)
@pytest.mark.parametrize("through", ["direct", "session"])
async def test_a_statement_cancelled_while_it_begins_leaves_no_transaction_open(
    harness: Harness, through: str
) -> None:
    """A consumer's task is cancelled when its broker channel closes (a node's death), at any
    await: here while the transaction's BEGIN is on the wire. asyncpg then still counts that
    BEGIN as its open transaction, so on a connection given back to the pool every later
    transaction would be a savepoint inside it, and its commit would commit nothing, silently.
    The cancelled statement's connection must be discarded instead: what comes after commits.
    SQLAlchemy's own statements are checked too, as they begin the transaction the same way."""

    async def first_statement(session: AsyncSession) -> None:
        if through == "direct":
            await ADD_NOTE.run(session, {"id": "n1", "text": "cancelled"})
        else:
            await session.execute(sa.insert(notes).values(id="n1", text="cancelled"))

    proxy = TcpProxy("127.0.0.1", sa.make_url(harness.db.url).port or 5432)
    await proxy.start()
    db = Database(
        str(sa.make_url(harness.db.url).set(host="127.0.0.1", port=proxy.port)), pool_size=1
    )
    try:
        async with db.session() as session:
            await session.connection()  # connected; the transaction begins at the first statement
            proxy.freeze()  # BEGIN goes out and its answer does not come back yet
            begun = asyncio.create_task(first_statement(session))
            await asyncio.sleep(0.2)
            begun.cancel()
            proxy.thaw()
            with pytest.raises(asyncio.CancelledError):
                await begun
        async with db.session() as session:  # the pool's only connection, or a fresh one
            await ADD_NOTE.run(session, {"id": "n2", "text": "committed after"})
            await session.commit()
        assert await _notes(harness) == ["committed after"]  # read on another connection
    finally:
        await db.dispose()
        await proxy.close()
