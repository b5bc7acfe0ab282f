"""Find the real PostgreSQL and RabbitMQ the tests use.

Order: TEST_DATABASE_URL / TEST_AMQP_URL when set, else the local servers on 127.0.0.1 when they
answer, else testcontainers when a Docker engine works. When none is there the tests fail with a
message saying so; they never skip.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

_containers: list[Any] = []

MISSING = (
    "{what} is required by these tests and none was found: set {var}, start the local server "
    "({hint}), or run a Docker engine for testcontainers."
)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _from_container(start: Callable[[], str]) -> str | None:
    try:
        import docker

        docker.from_env().ping()
    except Exception:
        return None
    return start()


def postgres_admin_url() -> str:
    """An asyncpg URL of a PostgreSQL server where the tests may create databases."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        return url
    if _answers("127.0.0.1", 5432):
        return "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"

    def start() -> str:
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:16", driver="asyncpg").start()
        _containers.append(container)
        return str(container.get_connection_url())

    if url := _from_container(start):
        return url
    raise RuntimeError(
        MISSING.format(
            what="PostgreSQL",
            var="TEST_DATABASE_URL",
            hint="pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        )
    )


def rabbitmq_url() -> str:
    if url := os.environ.get("TEST_AMQP_URL"):
        return url
    if _answers("127.0.0.1", 5672):
        return "amqp://guest:guest@127.0.0.1:5672/"

    def start() -> str:
        from testcontainers.rabbitmq import RabbitMqContainer

        container = RabbitMqContainer("rabbitmq:3.13").start()
        _containers.append(container)
        host, port = container.get_container_host_ip(), container.get_exposed_port(5672)
        return f"amqp://guest:guest@{host}:{port}/"

    if url := _from_container(start):
        return url
    raise RuntimeError(
        MISSING.format(what="RabbitMQ", var="TEST_AMQP_URL", hint="rabbitmq-server -detached")
    )


def stop_containers() -> None:
    while _containers:
        _containers.pop().stop()
