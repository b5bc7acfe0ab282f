"""The three services served over HTTP, each on a fresh PostgreSQL database, over real RabbitMQ."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from clinic_testing.helpers import free_port, served
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from notifications.bootstrap import build_app as notifications_app
from notifications.settings import NotificationsSettings
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.settings import SchedulingSettings

FUZZ_SMS_AUTH_TOKEN = "fuzz-sms-auth-token"  # the hooks sign the webhooks' requests with it


@pytest.fixture
def schemathesis_config(pytestconfig: pytest.Config) -> Path:
    return pytestconfig.rootpath / "schemathesis.toml"


@pytest.fixture
def seed_scheduling() -> bool:
    """Whether scheduling starts with the demo clinic; a test module overrides it to say so."""
    return False


@pytest.fixture
async def fuzz_stack(stack_settings, seed_scheduling: bool) -> AsyncIterator[dict[str, str]]:
    """Base URL of each service; scheduling's patient export reaches the other two, and their
    reconciliation reaches scheduling (on a port chosen before any of them starts)."""
    scheduling_port = free_port()
    scheduling_url = f"http://127.0.0.1:{scheduling_port}"
    inventory = inventory_app(
        await stack_settings(InventorySettings, scheduling_url=scheduling_url)
    )
    notifications = notifications_app(
        await stack_settings(
            NotificationsSettings,
            sms_auth_token=FUZZ_SMS_AUTH_TOKEN,
            scheduling_url=scheduling_url,
        )
    )
    async with served(inventory) as inv, served(notifications) as notif:
        settings = await stack_settings(
            SchedulingSettings,
            inventory_url=inv.url,
            notifications_url=notif.url,
            seed_demo_data=seed_scheduling,
        )
        async with served(scheduling_app(settings), scheduling_port) as sched:
            yield {"scheduling": sched.url, "inventory": inv.url, "notifications": notif.url}
