"""The dashboard over the three real services (PostgreSQL, RabbitMQ), with the demo clinic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest
from fastapi import FastAPI

from clinic_testing.helpers import running, served
from dashboard.bootstrap import build_app
from dashboard.settings import DashboardSettings
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from notifications.bootstrap import build_app as notifications_app
from notifications.settings import NotificationsSettings
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.settings import SchedulingSettings

from ..conftest import Dashboard

SERVICES = (
    ("scheduling", SchedulingSettings, scheduling_app),
    ("inventory", InventorySettings, inventory_app),
    ("notifications", NotificationsSettings, notifications_app),
)


@dataclass
class Clinic(Dashboard):
    services: dict[str, FastAPI]

    def api(self, name: str) -> httpx.AsyncClient:
        """The running service `name`, to set a scene through its own API."""
        client: httpx.AsyncClient = self.app.state.runtime.clients.http[name]
        return client

    def at(self, name: str, moment: datetime) -> None:
        """Service `name` believes it is now `moment`."""
        self.services[name].state.runtime.clock = lambda: moment


@pytest.fixture
async def clinic(stack_settings) -> AsyncIterator[Clinic]:
    """The dashboard calling the running services, all seeded with the demo clinic."""
    async with AsyncExitStack() as stack:
        apps = {}
        # Scheduling asks inventory over HTTP whether the lots of a completion may be used: it
        # is served on a port of its own, which scheduling is told. Its first expiry scan runs
        # at start, not 10 s later: the alerts' tests wait for the demo's expiring lot, and a
        # busy machine had the 10 s scan come after their 10 s wait.
        inventory = inventory_app(
            await stack_settings(InventorySettings, seed_demo_data=True, scan_first_after_seconds=0)
        )
        served_inventory = await stack.enter_async_context(served(inventory))
        for name, settings_cls, build in SERVICES:
            if name == "inventory":
                apps[name] = inventory
                continue
            peers = {"inventory_url": served_inventory.url} if name == "scheduling" else {}
            apps[name] = build(await stack_settings(settings_cls, seed_demo_data=True, **peers))
            await stack.enter_async_context(running(apps[name]))
        settings = await stack_settings(DashboardSettings, seed_demo_data=True)
        dashboard = build_app(settings)
        client = await stack.enter_async_context(running(dashboard))
        clients = dashboard.state.runtime.clients
        for name, app in apps.items():
            await clients.http[name].aclose()
            clients.http[name] = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"
            )
        yield Clinic(dashboard, client, apps)
        for http in clients.http.values():
            await http.aclose()
