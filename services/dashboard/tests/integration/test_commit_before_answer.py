"""A form's work is committed before its answer leaves: the page a browser opens next sees it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_testing.helpers import Served
from dashboard.bootstrap import build_app
from dashboard.settings import DashboardSettings

from .conftest import Dashboard


async def test_the_page_after_a_sign_in_is_open_at_once_even_when_the_commit_is_slow(
    make_settings,
) -> None:
    settings = await make_settings(
        DashboardSettings, seed_demo_data=True, scheduling_url="http://127.0.0.1:9"
    )
    app = build_app(settings)
    server = Served(app)
    await server.start()
    runtime = app.state.runtime
    plain = runtime.transaction

    @asynccontextmanager
    async def slow_to_commit() -> AsyncIterator[AsyncSession]:
        async with plain() as session:
            yield session
            await asyncio.sleep(0.5)  # a loaded database: the commit comes late

    runtime.transaction = slow_to_commit
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as browser:
            desk = Dashboard(app, browser)
            signed_in = await desk.sign_in("reception@clinic.example", "demo-reception-2026")
            next_page = await browser.get("/")  # as a browser follows the redirect
    finally:
        await server.stop()
    assert signed_in.status_code == 303
    assert next_page.status_code == 200, next_page.headers.get("location")
    assert "Sign out" in next_page.text
