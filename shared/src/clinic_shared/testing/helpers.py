"""Helpers for tests: run an app with its lifespan, wait for an eventual outcome, tokens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import httpx
from fastapi import FastAPI

from clinic_shared.auth import Role, mint_token
from clinic_shared.settings import DEVELOPMENT_JWT_SECRET

T = TypeVar("T")


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (migrations, bus, relay, consumer) and give a client to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    until: Callable[[T], bool] = bool,
    timeout: float = 10.0,
    interval: float = 0.05,
) -> T:
    """Call `probe` until `until(result)` holds; fail with the last result after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await probe()
        if until(result):
            return result
        if loop.time() > deadline:
            raise AssertionError(f"not reached within {timeout}s; last: {result!r}")
        await asyncio.sleep(interval)


def bearer(role: Role | str, secret: str = DEVELOPMENT_JWT_SECRET) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(secret, role=Role(role))}"}
