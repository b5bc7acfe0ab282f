"""Run a write use case in its own unit of work, again when the database broke a lock cycle.

Concurrent writes that meet on a lock or an exclusion constraint can, rarely, close a cycle that
PostgreSQL breaks by failing one side (deadlock detected, or a serialization failure). The whole
transaction was rolled back, so the request tries again from scratch, in a new scope, and the
client sees the outcome (201, or the 409 of the rule it broke), not the cycle. A consumer's side
is retried by the bus.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeVar

from sqlalchemy.exc import DBAPIError

from clinic_shared.outbox.uow import UnitOfWork

log = logging.getLogger(__name__)
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


class HasUnitOfWork(Protocol):
    uow: UnitOfWork


S = TypeVar("S", bound=HasUnitOfWork)
T = TypeVar("T")


def lock_cycle(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


async def committed(
    open_scope: Callable[[], AbstractAsyncContextManager[S]],
    use_case: Callable[[S], Awaitable[T]],
    attempts: int = 3,
) -> T:
    """The use case's result once its scope's unit of work commits; a lock cycle is tried
    again, in a new scope."""
    for attempt in range(1, attempts + 1):
        async with open_scope() as scope:
            try:
                result = await use_case(scope)
                await scope.uow.commit()
                return result
            except DBAPIError as exc:
                if attempt == attempts or not lock_cycle(exc):
                    raise
                log.warning(
                    "lock cycle broken by the database; trying again", extra={"attempt": attempt}
                )
    raise AssertionError("unreachable: the last attempt returns or raises")
