"""Helpers for tests: run an app with its lifespan, wait for an eventual outcome, tokens."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import holidays
import httpx
import uvicorn
from fastapi import FastAPI

from clinic_shared.auth import Role, mint_token
from clinic_shared.settings import ServiceSettings
from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET

T = TypeVar("T")
CLINIC_ZONE = ZoneInfo(str(ServiceSettings.model_fields["timezone"].default))


def clinic_today() -> date:
    """Today in the clinic's time zone, the calendar the services count days in.

    Not `date.today()`: the host's date differs from the clinic's for an hour or two every night.
    """
    return datetime.now(CLINIC_ZONE).date()


def holiday_free_monday(after: date, weeks: int = 4) -> date:
    """The first Monday after `after` from which `weeks` weeks hold no public holiday of the
    clinic's country (`CLINIC_COUNTRY`, France by default).

    For tests that book on days counted from the real clock: scheduling refuses a session on a
    public holiday, so such a test run the week before Easter Monday would fail.
    """
    country = str(ServiceSettings.model_fields["country"].default)
    calendar = holidays.country_holidays(country)
    monday = after + timedelta(days=7 - after.weekday())
    while any(monday + timedelta(days=d) in calendar for d in range(7 * weeks)):
        monday += timedelta(weeks=1)
    return monday


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (migrations, bus, relay, consumer) and give a client to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def free_port() -> int:
    """A TCP port nothing listens on right now (never 8000-8003, which `make run` uses)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """An app served by uvicorn on a free local port, in the test's event loop."""

    def __init__(self, app: FastAPI, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # No access log, as in production (`clinic_shared.serve`): a URL's query can hold contacts.
        config = uvicorn.Config(
            app, port=self.port, log_config=None, lifespan="on", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.server.should_exit = False
        self.task = asyncio.create_task(self.server.serve())
        await eventually(self._started, timeout=60)

    async def _started(self) -> bool:
        if self.task is not None and self.task.done():
            self.task.result()  # a failed start raises here
            raise AssertionError("the server stopped while starting")
        return bool(self.server.started)

    async def stop(self) -> None:
        """Stop listening (the app's lifespan ends); `start` serves it again on the same port."""
        if self.task is None:
            return
        self.server.should_exit = True
        await self.task
        self.task = None
        self.server.started = False


@asynccontextmanager
async def served(app: FastAPI, port: int | None = None) -> AsyncIterator[Served]:
    """Serve `app` over real HTTP for the block (on `port`, else a free one): for clients that
    are not in this process."""
    server = Served(app, port)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


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


def bearer(
    role: Role | str,
    secret: str = DEVELOPMENT_JWT_SECRET,
    *,
    practitioner_id: uuid.UUID | str | None = None,
) -> dict[str, str]:
    """An Authorization header for `role`; a practitioner's names the practitioner they are."""
    practitioner = uuid.UUID(str(practitioner_id)) if practitioner_id else None
    token = mint_token(secret, role=Role(role), practitioner_id=practitioner)
    return {"Authorization": f"Bearer {token}"}
