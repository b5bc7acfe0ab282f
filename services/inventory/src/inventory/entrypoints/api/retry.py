"""Run a write use case in its own unit of work, again when the database broke a lock cycle.

Stock changes lock sessions and lots; a delivery, count or recall racing the consumer can, rarely,
close a cycle PostgreSQL breaks by failing one side. The consumer's side is retried by the bus;
this retries the request's side, from scratch, so the client sees the outcome, not the cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from clinic_shared.runtime import ServiceRuntime
from inventory.service_layer.scope import Scope, open_scope

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


def lock_cycle(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


async def committed(
    runtime: ServiceRuntime, use_case: Callable[[Scope], Awaitable[T]], attempts: int = 3
) -> T:
    """The use case's result once its scope's unit of work commits; a lock cycle is tried
    again, in a new scope."""
    for attempt in range(1, attempts + 1):
        async with open_scope(runtime) as scope:
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
