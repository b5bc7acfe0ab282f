from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from clinic_shared.auth import Role
from clinic_testing.helpers import running
from dashboard.bootstrap import build_app
from dashboard.seed import DEMO_ACCOUNTS
from dashboard.settings import DashboardSettings

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF_INPUT.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@dataclass
class Dashboard:
    app: FastAPI
    client: httpx.AsyncClient

    async def sign_in(self, email: str, password: str) -> httpx.Response:
        form = await self.client.get("/signin")
        token = csrf_of(form.text)
        return await self.client.post(
            "/signin", data={"email": email, "password": password, "csrf_token": token}
        )

    async def sign_in_as(self, role: Role) -> str:
        """Sign in with the demo account of `role`; the CSRF token of its session."""
        _, email, _, password = next(a for a in DEMO_ACCOUNTS if a[2] is role)
        response = await self.sign_in(email, password)
        assert response.status_code == 303, response.text
        return csrf_of((await self.client.get("/")).text)


async def alone_settings(make_settings: Any, **overrides: Any) -> DashboardSettings:
    """Settings of a dashboard with its demo accounts whose services are not running."""
    settings: DashboardSettings = await make_settings(
        DashboardSettings,
        seed_demo_data=True,
        scheduling_url="http://127.0.0.1:9",
        inventory_url="http://127.0.0.1:9",
        notifications_url="http://127.0.0.1:9",
        **overrides,
    )
    return settings


@asynccontextmanager
async def dashboard_on(settings: DashboardSettings) -> AsyncIterator[Dashboard]:
    """One dashboard process (replica) on `settings`, with its own client."""
    app = build_app(settings)
    async with running(app) as client:
        yield Dashboard(app, client)


@asynccontextmanager
async def dashboard_alone(make_settings: Any, **overrides: Any) -> AsyncIterator[Dashboard]:
    """The dashboard with its demo accounts; the services it calls are not running."""
    async with dashboard_on(await alone_settings(make_settings, **overrides)) as dashboard:
        yield dashboard


@pytest.fixture
async def dashboard(make_settings) -> AsyncIterator[Dashboard]:
    async with dashboard_alone(make_settings) as alone:
        yield alone
