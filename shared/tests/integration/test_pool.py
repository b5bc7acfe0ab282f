"""The connection pool serves waiting tasks in order, on PostgreSQL (`clinic_shared.pool`).

These guard what the pool takes from SQLAlchemy's internals (its queue hook, the queue's
interface, `await_`): were an upgrade to change them, a request could be overtaken again under
load, wait past its timeout, or lose a connection for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from clinic_shared.db import create_engine
from clinic_shared.pool import FairAsyncPool


@pytest.fixture
async def engine(postgres_admin_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_admin_url, pool_size=1)  # the services' pool: 2 connections
    yield engine
    await engine.dispose()


async def _all_checked_out(engine: AsyncEngine) -> list[AsyncConnection]:
    held = []
    for _ in range(engine.pool.size()):
        connection = await engine.connect()
        await connection.execute(sa.text("SELECT 1"))
        held.append(connection)
    return held


async def _until_waiting(engine: AsyncEngine) -> None:
    """Until the task started last waits for a connection, every connection being out (its
    checkout needs a few turns of the loop, and then waits for good)."""
    assert engine.pool.checkedout() == engine.pool.size()
    await asyncio.sleep(0.05)


async def _ask(engine: AsyncEngine, name: str, served: list[str]) -> None:
    """A request: a connection, a statement, and its name in `served` once it ran."""
    async with engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))
        served.append(name)


async def test_a_returned_connection_goes_to_the_task_that_waited_longest(
    engine: AsyncEngine,
) -> None:
    """A task that returns its connection and at once asks again (a busy request loop) waits
    behind the tasks already waiting; SQLAlchemy's own asyncio pool let it overtake them."""
    served: list[str] = []

    held = await _all_checked_out(engine)
    waiting = []
    for name in ("first", "second", "third"):
        waiting.append(asyncio.create_task(_ask(engine, name, served)))
        await _until_waiting(engine)

    await held[0].close()
    await _ask(engine, "newcomer", served)
    async with asyncio.timeout(5):
        await asyncio.gather(*waiting)
    await held[1].close()
    assert served == ["first", "second", "third", "newcomer"]
    assert engine.pool.checkedout() == 0


async def test_a_connection_handed_to_a_task_cancelled_as_it_got_it_goes_to_the_next(
    engine: AsyncEngine,
) -> None:
    """A request cancelled (its client gone) just as a connection is handed to it: the
    connection goes to the next waiter, and none is lost to the pool."""
    got: list[str] = []

    held = await _all_checked_out(engine)
    leaving = asyncio.create_task(_ask(engine, "leaving", got))
    await _until_waiting(engine)
    staying = asyncio.create_task(_ask(engine, "staying", got))
    await _until_waiting(engine)

    await held[0].close()  # handed to the first waiter, which has not run yet
    leaving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    async with asyncio.timeout(5):
        await staying
    assert got == ["staying"]

    await held[1].close()
    assert engine.pool.checkedout() == 0
    assert len(await _all_checked_out_and_back(engine)) == engine.pool.size()


async def _all_checked_out_and_back(engine: AsyncEngine) -> list[AsyncConnection]:
    """Every connection of the pool can still be taken at once (none was lost)."""
    async with asyncio.timeout(5):
        held = await _all_checked_out(engine)
    for connection in held:
        await connection.close()
    return held


async def test_a_wait_longer_than_the_pool_timeout_fails_and_leaves_the_line(
    postgres_admin_url: str,
) -> None:
    """A request that waits past `pool_timeout` gets SQLAlchemy's timeout (the service answers
    503), and the connection returned afterwards serves the next request, not the one gone."""
    engine = create_async_engine(
        postgres_admin_url, poolclass=FairAsyncPool, pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    try:
        [held] = await _all_checked_out(engine)
        with pytest.raises(PoolTimeout):
            await engine.connect()
        await held.close()
        async with asyncio.timeout(5), engine.connect() as connection:
            assert await connection.scalar(sa.text("SELECT 1")) == 1
        assert engine.pool.checkedout() == 0
    finally:
        await engine.dispose()
