from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from clinic_testing.fake_scheduling import fake_scheduling
from clinic_testing.helpers import bearer, clinic_today, running
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings

STOCK = bearer("stock_manager")


@dataclass
class Inventory:
    app: FastAPI
    client: httpx.AsyncClient

    async def rows(self, table: sa.Table) -> list[Any]:
        async with self.app.state.runtime.db.session() as session:
            return list((await session.execute(sa.select(table))).all())

    async def receive(
        self, product: str, lot: str, quantity: int, *, days: int = 200
    ) -> dict[str, Any]:
        expires_on = (clinic_today() + timedelta(days=days)).isoformat()
        body = {"product_code": product, "lot_number": lot, "expires_on": expires_on}
        response = await self.client.post(
            "/v1/receipts", json=body | {"quantity": quantity}, headers=STOCK
        )
        assert response.status_code == 201, response.text
        return dict(response.json())


@pytest.fixture
async def inventory(make_settings) -> AsyncIterator[Inventory]:
    """Inventory running on this test's backend: the catalogue its migrations wrote, no stock;
    a fake scheduling holds every treatment a test gives a kit."""
    # The scan runs only when a test calls it, so what it announces is what the test expects.
    # A test's events come one after another, each awaited with its review: reviews without
    # the pause between them (tests/unit/test_reorder_reviews.py tests the pause).
    async with fake_scheduling() as scheduling:
        settings = await make_settings(
            InventorySettings,
            scan_first_after_seconds=3600,
            reorder_review_pause_seconds=0,
            scheduling_url=scheduling.url,
        )
        app = build_app(settings)
        async with running(app) as client:
            yield Inventory(app, client)
