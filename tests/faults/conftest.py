from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from clinic_testing.cluster import RabbitCluster
from clinic_testing.plugin import RabbitNamespace
from clinic_testing.postgres import PostgresDatabases
from clinic_testing.processes import RabbitNode

from .stack import FaultStack


@pytest.fixture
async def rabbit_node(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RabbitNode]:
    """A RabbitMQ node of this test's own: the machine's broker is shared, never stopped. Its
    files sit outside `tmp_path`, whose *.log files the privacy audit reads as the services'."""
    node = RabbitNode(tmp_path_factory.mktemp("rabbit"))
    try:
        await node.start()
        yield node
    finally:
        await node.shutdown()


@pytest.fixture
async def rabbit_cluster(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RabbitCluster]:
    """Three RabbitMQ nodes of this test's own, joined in a cluster; each stopped by its own
    process group at the end, whatever the test did to it."""
    cluster = RabbitCluster(tmp_path_factory.mktemp("cluster"))
    try:
        await cluster.start()
        yield cluster
    finally:
        await cluster.shutdown()


@pytest.fixture
async def fault_stack(
    postgres_databases: PostgresDatabases,
    rabbitmq_url: str,
    amqp_namespace: RabbitNamespace,
    tmp_path: Path,
) -> AsyncIterator[FaultStack]:
    """The services' databases, ready; the test points them at a broker and starts them."""
    amqp_namespace.url = rabbitmq_url
    stack = FaultStack(postgres_databases, rabbitmq_url, amqp_namespace.prefix, tmp_path)
    await stack.prepare()
    try:
        yield stack
    finally:
        await stack.close()
