"""docker-compose.yml's RabbitMQ users: deploy/compose/rabbitmq-entrypoint.sh's definitions
(one user per service, its permissions, the events topology) loaded at boot by a RabbitMQ node of
the test's own, as the compose broker loads them. No `guest`; each service connects with its own
user, declares, publishes, consumes, retries and dead-letters; none reads another's queue.
The permissions are also held against the names each service's bus uses, computed from the code.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage
from aiormq.exceptions import ChannelAccessRefused, ProbableAuthenticationError

from clinic_shared.contracts import Envelope, events
from clinic_shared.errors import PermanentMessageError
from clinic_shared.messaging import topology
from clinic_shared.messaging.bus import MessageBus
from clinic_shared.messaging.definitions import render
from clinic_shared.runtime import make_bus
from clinic_shared.settings import ServiceSettings
from clinic_testing.processes import RabbitNode
from inventory.settings import InventorySettings
from notifications.settings import NotificationsSettings
from scheduling.settings import SchedulingSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE = REPO_ROOT / "deploy" / "compose"
ENTRYPOINT = COMPOSE / "rabbitmq-entrypoint.sh"
TOPOLOGY = COMPOSE / "rabbitmq-topology.json"
SETTINGS: dict[str, type[ServiceSettings]] = {
    "scheduling": SchedulingSettings,
    "inventory": InventorySettings,
    "notifications": NotificationsSettings,
}
NAMESPACE = ""  # docker-compose.yml sets no AMQP_NAMESPACE (test_compose checks it)


def write_definitions(directory: Path, passwords: dict[str, str]) -> Path:
    out = directory / "definitions.json"
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "CLINIC_RABBITMQ_DEFINITIONS": str(out),
        "CLINIC_RABBITMQ_TOPOLOGY": str(TOPOLOGY),
        **{f"RABBITMQ_{s.upper()}_PASSWORD": p for s, p in passwords.items()},
    }
    done = subprocess.run(
        ["bash", str(ENTRYPOINT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return out


def permissions(definitions: Path) -> dict[str, dict[str, str]]:
    return {p["user"]: p for p in json.loads(definitions.read_text())["permissions"]}


def uses(service: str) -> dict[str, set[str]]:
    """What the service's bus does with which names (AMQP_DECLARE_ALL_QUEUES=false), from the
    code: RabbitMQ's rules are configure to declare or delete, write to publish into or bind a
    queue, read to consume, to bind from an exchange, and to declare a queue that dead-letters."""
    declared = topology.queue_declarations(NAMESPACE, service)
    exchange = NAMESPACE + topology.EXCHANGE
    classic = topology.classic_retry_queue_name(NAMESPACE, service)
    main = topology.queue_name(NAMESPACE, service)
    dead_lettering = {name for name, args in declared if "x-dead-letter-exchange" in args}
    default_exchange = {"amq.default"}  # retries and dead letters; every queue's DLX
    return {
        "configure": {exchange, classic, *(name for name, _ in declared)},
        "write": {exchange, main, *default_exchange},
        "read": {exchange, classic, main, *dead_lettering},
    }


def every_name() -> set[str]:
    names = {NAMESPACE + topology.EXCHANGE, "amq.default", "amq.topic", "amq.direct"}
    for consumer in topology.SUBSCRIPTIONS:
        names |= {name for name, _ in topology.queue_declarations(NAMESPACE, consumer)}
        names.add(topology.classic_retry_queue_name(NAMESPACE, consumer))
    return names | {f"x{name}" for name in names} | {f"{name}x" for name in names}


def test_the_committed_topology_is_the_codes() -> None:
    assert TOPOLOGY.read_text() == render(NAMESPACE), (
        "run: python -m clinic_shared.messaging.definitions > deploy/compose/rabbitmq-topology.json"
    )


@pytest.mark.parametrize("service", SETTINGS)
def test_each_users_permissions_are_exactly_the_names_its_bus_uses(
    service: str, tmp_path: Path
) -> None:
    granted = permissions(write_definitions(tmp_path, {s: "pw" for s in SETTINGS}))[service]
    assert granted["vhost"] == "/"
    for kind, names in uses(service).items():
        allowed = {name for name in every_name() if re.search(granted[kind], name)}
        assert allowed == names, f"{service} {kind}: {granted[kind]}"


def event_types() -> dict[str, str]:
    """Every event type of the contracts, and the service that produces it (its module section)."""
    types = {}
    for value in vars(events).values():
        kind = getattr(value, "TYPE", None)
        if isinstance(value, type) and isinstance(kind, str):
            types[kind] = kind.split(".")[0]
    return types


@pytest.mark.parametrize("service", SETTINGS)
def test_each_user_publishes_only_its_own_events(service: str, tmp_path: Path) -> None:
    definitions = json.loads(write_definitions(tmp_path, {s: "pw" for s in SETTINGS}).read_text())
    (granted,) = [t for t in definitions["topic_permissions"] if t["user"] == service]
    assert granted["exchange"] == NAMESPACE + topology.EXCHANGE
    allowed = {kind for kind in event_types() if re.search(granted["write"], kind)}
    assert allowed == {kind for kind, producer in event_types().items() if producer == service}
    bound = (*topology.SUBSCRIPTIONS.values(), *topology.RETIRED.values())
    assert all(re.search(granted["read"], pattern) for patterns in bound for pattern in patterns)


def test_the_definitions_hold_hashes_not_passwords(tmp_path: Path) -> None:
    passwords = {s: f"secret-{s}-{uuid.uuid4()}" for s in SETTINGS}
    text = write_definitions(tmp_path, passwords).read_text()
    assert not any(password in text for password in passwords.values())
    assert "guest" not in text


@pytest.fixture
async def broker(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[RabbitNode, dict[str, str]]]:
    """A node of the test's own that loads the compose definitions at boot (the machine's broker
    is shared: no users are made there)."""
    directory = tmp_path_factory.mktemp("compose-broker")
    passwords = {s: f"{uuid.uuid4().hex}\"'\\{s}" for s in SETTINGS}
    definitions = write_definitions(directory, passwords)
    # A broker upgraded from before issue 16: each consumer still has its classic retry queue.
    loaded = json.loads(definitions.read_text())
    loaded["queues"] += [
        {"name": topology.classic_retry_queue_name(NAMESPACE, s), "vhost": "/", "durable": True}
        | {"auto_delete": False, "arguments": {}}
        for s in SETTINGS
    ]
    definitions.write_text(json.dumps(loaded))
    node = RabbitNode(directory / "node")
    with (node.directory / "rabbitmq.conf").open("a") as conf:
        conf.write(f"load_definitions = {definitions}\n")
    try:
        await node.start()
        yield node, passwords
    finally:
        await node.shutdown()


def _url(node: RabbitNode, user: str, password: str) -> str:
    return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{node.port}/"


def _bus(node: RabbitNode, service: str, password: str) -> MessageBus:
    settings = SETTINGS[service](
        amqp_url=_url(node, service, password),
        amqp_declare_all_queues=False,
        consumer_retry_delay_seconds=0.05,
        consumer_max_attempts=2,
    )
    return make_bus(settings)


async def test_no_guest_and_no_user_of_another_password(
    broker: tuple[RabbitNode, dict[str, str]],
) -> None:
    node, passwords = broker
    users = node.ctl("list_users", "--quiet", "--no-table-headers")
    assert sorted(line.split()[0] for line in users.splitlines() if line) == sorted(SETTINGS)
    with pytest.raises(ProbableAuthenticationError):
        await aio_pika.connect(_url(node, "guest", "guest"))
    with pytest.raises(ProbableAuthenticationError):
        await aio_pika.connect(_url(node, "scheduling", passwords["inventory"]))


async def test_each_service_declares_publishes_consumes_and_dead_letters_with_its_own_user(
    broker: tuple[RabbitNode, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    node, passwords = broker
    buses = {s: _bus(node, s, passwords[s]) for s in SETTINGS}
    received: dict[str, asyncio.Queue[Envelope]] = {s: asyncio.Queue() for s in SETTINGS}
    tries: dict[str, int] = {s: 0 for s in SETTINGS}

    def handler(service: str) -> Any:
        async def handle(envelope: Envelope) -> None:
            tries[service] += 1
            if service == "notifications":
                # A retry first (through its .delay queue), then permanent failures (its .dlq):
                # it gets both events (scheduling.# and inventory.stock.shortage).
                raise RuntimeError("busy") if tries[service] == 1 else PermanentMessageError("no")
            received[service].put_nowait(envelope)

        return handle

    try:
        for service, bus in buses.items():
            await bus.connect()
            await bus.subscribe(service, handler(service))
        # Each retired its own classic retry queue, and left the others' to them unharmed.
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
        queues = node.ctl("list_queues", "name", "--quiet", "--no-table-headers").split()
        assert sorted(queues) == sorted(
            name for s in SETTINGS for name, _ in topology.queue_declarations(NAMESPACE, s)
        )
        booked = Envelope(
            type="scheduling.session.booked",
            version=1,
            producer="scheduling",
            correlation_id="compose-test",
            data={},
        )
        shortage = Envelope(
            type="inventory.stock.shortage",
            version=1,
            producer="inventory",
            correlation_id="compose-test",
            data={},
        )
        await buses["scheduling"].publish(booked)
        await buses["inventory"].publish(shortage)
        async with asyncio.timeout(30):
            assert (await received["inventory"].get()).id == booked.id
            assert (await received["scheduling"].get()).id == shortage.id
            while await buses["notifications"].dead_letter_count("notifications") < 2:
                await asyncio.sleep(0.05)
        assert tries["notifications"] == 3  # the retried one came back from .delay
    finally:
        for bus in buses.values():
            await bus.close()


async def test_no_service_reads_or_declares_another_services_queues(
    broker: tuple[RabbitNode, dict[str, str]],
) -> None:
    node, passwords = broker

    async def ignore(message: AbstractIncomingMessage) -> None:
        raise AssertionError("consumed another service's queue")

    for service in SETTINGS:
        connection = await aio_pika.connect(_url(node, service, passwords[service]))
        async with connection:
            for other in (s for s in SETTINGS if s != service):
                for name, arguments in topology.queue_declarations(NAMESPACE, other):
                    channel = await connection.channel()
                    queue = await channel.get_queue(name, ensure=True)  # passive: no rights
                    with pytest.raises(ChannelAccessRefused):
                        await queue.get(fail=False)
                    channel = await connection.channel()
                    queue = await channel.get_queue(name, ensure=True)
                    with pytest.raises(ChannelAccessRefused):
                        await queue.consume(ignore)
                    channel = await connection.channel()
                    with pytest.raises(ChannelAccessRefused):
                        await channel.declare_queue(name, durable=True, arguments=arguments)
                channel = await connection.channel()
                with pytest.raises(ChannelAccessRefused):
                    await channel.declare_queue(f"{other}.spy", durable=True)


async def test_no_service_publishes_another_services_events(
    broker: tuple[RabbitNode, dict[str, str]],
) -> None:
    node, passwords = broker
    for service in SETTINGS:
        connection = await aio_pika.connect(_url(node, service, passwords[service]))
        async with connection:
            for kind, producer in event_types().items():
                channel = await connection.channel(publisher_confirms=True)
                exchange = await channel.get_exchange(NAMESPACE + topology.EXCHANGE)
                message = aio_pika.Message(b"{}", type=kind)
                if producer == service:
                    await exchange.publish(message, routing_key=kind)
                else:
                    with pytest.raises(ChannelAccessRefused):
                        await exchange.publish(message, routing_key=kind)
