"""FastAPI dependencies every service shares: the runtime and a unit of work per request.

Every dependency is `async def`, even when it awaits nothing: FastAPI runs a plain `def` in a
worker thread, which costs a thread hop per request on the hot path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from clinic_shared.outbox import UnitOfWork
from clinic_shared.runtime import ServiceRuntime


async def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


async def get_uow(runtime: RuntimeDep) -> AsyncIterator[UnitOfWork]:
    async with runtime.uow() as uow:
        yield uow


# scope="function": the unit of work ends (rolls back what was not committed, gives its
# connection back) when the endpoint returns, not after the answer has been sent
UowDep = Annotated[UnitOfWork, Depends(get_uow, scope="function")]
