"""A service started while RabbitMQ is down serves, says it is not ready, and connects when the
broker comes: it does not exit at startup (the fault tests found it did)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from clinic_testing.helpers import bearer, eventually, running
from clinic_testing.tcp_proxy import TcpProxy
from notifications.bootstrap import build_app
from notifications.settings import NotificationsSettings

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.rabbitmq]


async def test_a_service_started_before_the_broker_connects_when_it_comes(
    stack_settings, rabbitmq_url: str
) -> None:
    broker = urlsplit(rabbitmq_url)
    proxy = TcpProxy(broker.hostname or "127.0.0.1", broker.port or 5672)
    await proxy.start()
    await proxy.refuse()  # the port is known, nothing listens on it: the broker is down
    through_proxy = rabbitmq_url.replace(f":{broker.port}", f":{proxy.port}")
    settings = await stack_settings(NotificationsSettings, amqp_url=through_proxy)
    try:
        async with running(build_app(settings)) as client:
            down = await client.get("/readyz", headers=bearer("admin"))
            assert down.status_code == 503
            assert down.json()["checks"]["broker"] is False
            assert down.json()["checks"]["consumer"] is False
            policy = await client.get("/v1/policy", headers=bearer("admin"))
            assert policy.status_code == 200  # the API serves what needs no broker

            await proxy.start()

            async def readiness() -> tuple[int, dict]:
                response = await client.get("/readyz", headers=bearer("admin"))
                return response.status_code, response.json()

            await eventually(readiness, until=lambda answer: answer[0] == 200, timeout=60)
            checks = (await client.get("/readyz", headers=bearer("admin"))).json()["checks"]
            assert checks["broker"] is True
            assert checks["consumer"] is True
    finally:
        await proxy.close()
