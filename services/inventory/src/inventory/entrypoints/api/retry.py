"""Inventory's write requests, tried again when the database broke a lock cycle: stock changes
lock sessions and lots, and a delivery, count or recall racing the consumer can, rarely, close a
cycle (see `clinic_shared.outbox.retry`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from clinic_shared.outbox import retry
from clinic_shared.runtime import ServiceRuntime
from inventory.service_layer.scope import Scope, open_scope

T = TypeVar("T")


async def committed(
    runtime: ServiceRuntime, use_case: Callable[[Scope], Awaitable[T]], attempts: int = 3
) -> T:
    return await retry.committed(lambda: open_scope(runtime), use_case, attempts)
