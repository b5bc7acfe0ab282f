"""A connection pool that serves the tasks waiting for a connection in the order they came.

SQLAlchemy's asyncio pool (`AsyncAdaptedQueuePool`) keeps its idle connections in an
`asyncio.Queue`. A connection returned there wakes the oldest waiter, but the waiter runs later,
and a task asking in the meantime finds the connection in the queue and takes it; the woken
waiter finds the queue empty and queues again, at the back. Under load (more requests in flight
than connections) a few requests are overtaken again and again: on the peer bench of issue 27
(32 bookings in flight on 20 connections) they made the p99 3.65 times the p50.

`FairQueue` hands a returned connection to the oldest waiter directly, so a newcomer finds none
idle and waits its turn. Nothing else changes: the same connections, the same timeout
(`pool_timeout`), the same errors.

Private internals: `QueuePool._queue_class` is the hook SQLAlchemy's own asyncio pool uses to
swap its queue, `QueueCommon` is the interface `QueuePool` calls (`get`, `put`, `qsize`,
`maxsize`, `use_lifo`), and `await_` runs a coroutine from the pool's synchronous code inside
the asyncio engine's greenlet. `shared/tests/integration/test_pool.py` guards all three on
PostgreSQL: the order, the timeout, and a connection handed to a task cancelled as it got it.
"""

from __future__ import annotations

import asyncio
from collections import deque

from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_
from sqlalchemy.util.queue import Empty, Full, QueueCommon


class FairQueue(QueueCommon[ConnectionPoolEntry]):
    """Idle connections, handed first come, first served; only ever used from the event loop."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        self.maxsize = maxsize
        self.use_lifo = use_lifo  # kept for `QueuePool.recreate`; waiters are served in order
        self._idle: deque[ConnectionPoolEntry] = deque()
        self._waiters: deque[asyncio.Future[ConnectionPoolEntry]] = deque()

    def empty(self) -> bool:
        return not self._idle

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self._idle)

    def qsize(self) -> int:
        return len(self._idle)

    def put_nowait(self, item: ConnectionPoolEntry) -> None:
        """To the oldest task still waiting, else kept idle."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        if self.full():
            raise Full()
        self._idle.append(item)

    def put(
        self, item: ConnectionPoolEntry, block: bool = True, timeout: float | None = None
    ) -> None:
        self.put_nowait(item)  # never blocks: the pool holds at most `maxsize` connections

    def get_nowait(self) -> ConnectionPoolEntry:
        if not self._idle:
            raise Empty()
        return self._idle.popleft()

    def get(self, block: bool = True, timeout: float | None = None) -> ConnectionPoolEntry:
        if self._idle or not block:
            return self.get_nowait()
        return await_(self._wait(timeout))

    async def _wait(self, seconds: float | None) -> ConnectionPoolEntry:
        """Until a connection is handed over, or `seconds` (the pool's timeout) pass: `Empty`.
        The waiter is left to finish on its own (`asyncio.wait`, not `asyncio.timeout`), so a
        connection handed over as the time runs out is seen, not lost."""
        waiter: asyncio.Future[ConnectionPoolEntry] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait((waiter,), timeout=seconds)
        except BaseException:  # cancelled while waiting
            self._leave(waiter)
            raise
        if not waiter.done():
            self._leave(waiter)
            raise Empty()
        return waiter.result()

    def _leave(self, waiter: asyncio.Future[ConnectionPoolEntry]) -> None:
        """The task stops waiting; a connection handed to it as it left goes to the next."""
        if waiter.done():
            self.put_nowait(waiter.result())
            return
        waiter.cancel()
        self._waiters.remove(waiter)


class FairAsyncPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio queue pool, its waiters served in order (`FairQueue`)."""

    _queue_class = FairQueue
