"""The pytest plugin every test run loads (`-p clinic_testing.plugin`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import aio_pika
import hypothesis
import pytest

from clinic_shared.messaging import topology
from clinic_shared.settings import ServiceSettings
from clinic_testing import backends
from clinic_testing.log_privacy import _no_contact_in_logs
from clinic_testing.postgres import PostgresDatabases

__all__ = ["_no_contact_in_logs"]  # registered with pytest by being in this plugin module

# Hypothesis's per-example deadline (200 ms by default) is a timing assertion: on a loaded
# 2-core machine an ordinary example overruns it and the test fails for nothing the code did.
# Speed is measured in bench/, never in tests, so no example has a deadline.
hypothesis.settings.register_profile("clinic", deadline=None)
hypothesis.settings.load_profile("clinic")

S = TypeVar("S", bound=ServiceSettings)
SettingsFactory = Callable[..., Awaitable[Any]]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    try:
        return backends.postgres_admin_url()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    try:
        return backends.rabbitmq_url()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def postgres_databases(postgres_admin_url: str) -> Iterator[PostgresDatabases]:
    prefix = f"clinic_test_{uuid.uuid4().hex[:6]}_{_worker()}"
    databases = PostgresDatabases(postgres_admin_url, prefix)
    yield databases
    asyncio.run(databases.drop_all())


def pytest_sessionfinish() -> None:
    backends.stop_containers()


class RabbitNamespace:
    """Exchange and queue names of one test, removed when it ends."""

    def __init__(self) -> None:
        self.prefix = f"t{uuid.uuid4().hex[:10]}."
        self.url: str | None = None

    async def cleanup(self) -> None:
        if self.url is None:
            return
        connection = await aio_pika.connect(self.url)
        async with connection:
            for consumer in topology.SUBSCRIPTIONS:
                for name in (
                    topology.queue_name(self.prefix, consumer),
                    topology.retry_queue_name(self.prefix, consumer),
                    topology.classic_retry_queue_name(self.prefix, consumer),
                    topology.dead_letter_queue_name(self.prefix, consumer),
                ):
                    channel = await connection.channel()
                    with contextlib.suppress(Exception):
                        await channel.queue_delete(name)
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.exchange_delete(self.prefix + topology.EXCHANGE)


@pytest.fixture
async def amqp_namespace() -> AsyncIterator[RabbitNamespace]:
    namespace = RabbitNamespace()
    yield namespace
    await namespace.cleanup()


FAST = {
    "outbox_poll_seconds": 0.05,
    "consumer_retry_delay_seconds": 0.2,
    "publish_timeout_seconds": 3.0,
    "run_migrations": True,
    "seed_demo_data": False,
    # A test reconciles when it asks (POST /v1/admin/reconcile): a timer would read whatever
    # scheduling answers on the default port.
    "reconcile_first_after_seconds": 3600,
}


@pytest.fixture
def stack_settings(
    postgres_databases: PostgresDatabases, rabbitmq_url: str, amqp_namespace: RabbitNamespace
) -> SettingsFactory:
    """Settings of a service of a running stack: its own PostgreSQL database, the test's RabbitMQ
    exchange. `await stack_settings(Cls, **overrides)`."""
    amqp_namespace.url = rabbitmq_url

    async def make(cls: type[S], **overrides: Any) -> S:
        name = str(cls.model_fields["service_name"].default)
        url = await postgres_databases.fresh(name, f"{name}:migrations")
        common = {"amqp_url": rabbitmq_url, "amqp_namespace": amqp_namespace.prefix}
        return cls(**(FAST | common | {"database_url": url} | overrides))

    return make


@pytest.fixture
def make_settings(stack_settings: SettingsFactory) -> SettingsFactory:
    """A service's settings for a service test: `await make_settings(Cls, **over)`, on its own
    fresh PostgreSQL database and this test's RabbitMQ names (as `stack_settings`)."""
    return stack_settings
