"""What the dashboard runs beside its pages: its database and the service clients."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared import migrations
from clinic_shared.db import Database, utcnow
from dashboard.accounts.service import create_first_admin
from dashboard.clients import ServiceClients
from dashboard.settings import DashboardSettings

log = logging.getLogger(__name__)
Seeder = Callable[[AsyncSession, datetime], Awaitable[None]]


class DashboardRuntime:
    def __init__(self, settings: DashboardSettings, seed: Seeder | None = None) -> None:
        self.settings = settings
        self.db = Database(settings.database_url, pool_size=settings.database_pool_size)
        self.clients = ServiceClients(settings)
        self.seed = seed
        self.clock: Callable[[], datetime] = utcnow

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits when the block ends without an error."""
        async with self.db.session() as session, session.begin():
            yield session

    async def start(self) -> None:
        if self.settings.run_migrations:
            await asyncio.to_thread(migrations.upgrade, "dashboard:migrations", self.db.url)
        await self.clients.open()
        if self.seed is not None and self.settings.seed_demo_data:
            async with self.transaction() as session:
                await self.seed(session, self.clock())
        email, password = self.settings.first_admin_email, self.settings.first_admin_password
        if email and password is not None:
            async with self.transaction() as session:
                await create_first_admin(
                    session, email=email, password=password.get_secret_value(), now=self.clock()
                )
        log.info("service started", extra={"service": self.settings.service_name})

    async def stop(self) -> None:
        await self.clients.close()
        await self.db.dispose()

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        try:
            await self.db.ping()
        except Exception as exc:
            log.warning("readiness: database unreachable", extra={"error": type(exc).__name__})
            return False, {"database": False}
        return True, {"database": True}
