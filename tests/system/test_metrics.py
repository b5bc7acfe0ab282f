"""Each service's /metrics: its own requests by route template, its outbox and its consumer,
the process's figures; never an id or a contact, never another service's metrics."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aio_pika
import pytest
from prometheus_client.parser import text_string_to_metric_families

from clinic_shared.messaging import topology
from clinic_testing.helpers import bearer, eventually

from .conftest import Stack
from .one_booking import PATIENT, book_one_session

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]
PARIS = ZoneInfo("Europe/Paris")


async def _samples(stack: Stack, service: str) -> dict[tuple[str, frozenset], float]:
    answer = await stack.clients[service].get("/metrics")  # no token: scrapers have none
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def _value(samples: dict[tuple[str, frozenset], float], name: str, **labels: str) -> float:
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= ls)


async def test_metrics_count_requests_by_route_and_events_by_consumer(stack: Stack) -> None:
    created = await stack.clients["scheduling"].post(
        "/v1/patients", json=PATIENT, headers=bearer("receptionist")
    )
    assert created.status_code == 201, created.text
    patient_id = created.json()["id"]
    for _ in range(3):
        await stack.clients["scheduling"].get(f"/v1/patients/{patient_id}", headers=bearer("admin"))
    await stack.clients["scheduling"].get("/no/such/page")

    async def applied_in_notifications() -> float:
        samples = await _samples(stack, "notifications")
        return _value(
            samples,
            "clinic_consumer_applied_events_total",
            consumer="notifications",
            event_type="scheduling.patient.registered",
        )

    assert await eventually(applied_in_notifications, until=lambda n: n >= 1, timeout=15) == 1

    scheduling = await _samples(stack, "scheduling")
    route = "/v1/patients/{patient_id}"
    requests = "clinic_http_requests_total"
    assert _value(scheduling, requests, route=route, method="GET", status="200") == 3
    assert _value(scheduling, requests, route="/v1/patients", method="POST", status="201") == 1
    assert _value(scheduling, requests, route="unmatched", status="404") == 1
    assert _value(scheduling, "clinic_outbox_published_events_total") >= 1
    assert ("clinic_outbox_pending_events", frozenset()) in scheduling
    assert _value(scheduling, "clinic_db_pool_size") > 0
    assert ("clinic_bus_channel_reopens_total", frozenset()) in scheduling
    assert _value(scheduling, "process_resident_memory_bytes") > 0

    inventory = await _samples(stack, "inventory")
    assert _value(inventory, requests, route=route) == 0  # each port shows its own service
    assert _value(inventory, "clinic_consumer_deliveries_total", consumer="inventory") >= 1
    assert _value(inventory, "clinic_consumer_attached", consumer="inventory") == 1


async def test_metrics_name_no_patient(stack: Stack) -> None:
    created = await stack.clients["scheduling"].post(
        "/v1/patients", json=PATIENT, headers=bearer("receptionist")
    )
    patient_id = created.json()["id"]
    await stack.clients["scheduling"].get(f"/v1/patients/{patient_id}", headers=bearer("admin"))
    text = (await stack.clients["scheduling"].get("/metrics")).text
    assert patient_id not in text
    for shown in ("Nora", "Metric", "612345678", "nora.metric@example.com"):
        assert shown not in text
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text)


async def test_a_booking_shows_as_booked_reserved_short_and_reminders_planned(
    stack: Stack,
) -> None:
    await book_one_session(stack)

    async def stock() -> dict[tuple[str, frozenset], float]:
        return await _samples(stack, "inventory")

    inventory = await eventually(
        stock,
        until=lambda s: _value(s, "clinic_stock_vials", product="caffeine", state="reserved") == 1,
        timeout=20,
    )
    assert _value(inventory, "clinic_stock_vials", product="caffeine", state="available") == 4
    assert _value(inventory, "clinic_stock_short_vials", product="l-carnitine") == 1
    assert _value(inventory, "clinic_stock_short_vials", product="caffeine") == 0
    assert _value(inventory, "clinic_stock_open_alerts", kind="shortage") >= 1
    shortage = "inventory.stock.shortage"
    assert _value(inventory, "clinic_events_emitted_total", event_type=shortage) == 1

    scheduling = await _samples(stack, "scheduling")
    booked = "scheduling.session.booked"
    assert _value(scheduling, "clinic_events_emitted_total", event_type=booked) == 1

    async def planned() -> float:
        samples = await _samples(stack, "notifications")
        return _value(samples, "clinic_messages", status="scheduled", kind="reminder")

    assert await eventually(planned, until=lambda n: n >= 1, timeout=20) >= 1
    notifications = await _samples(stack, "notifications")
    for channel in ("sms", "email"):
        assert _value(notifications, "clinic_messages", channel=channel, kind="reminder") >= 1


async def test_an_unreadable_event_counts_as_dead_lettered_and_in_the_dead_letter_queue(
    stack: Stack,
) -> None:
    connection = await aio_pika.connect(stack.amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.default_exchange.publish(
            aio_pika.Message(b"\x00not an event{", message_id="poison"),
            routing_key=topology.queue_name(stack.namespace, "inventory"),
        )

    async def inventory() -> dict[tuple[str, frozenset], float]:
        return await _samples(stack, "inventory")

    samples = await eventually(
        inventory,
        until=lambda s: _value(s, "clinic_consumer_dead_letters", consumer="inventory") == 1,
        timeout=20,
    )
    assert _value(samples, "clinic_consumer_dead_lettered_total", consumer="inventory") == 1
    assert _value(samples, "clinic_consumer_retried_total", consumer="inventory") == 0
    scheduling = await _samples(stack, "scheduling")
    assert _value(scheduling, "clinic_consumer_dead_lettered_total", consumer="scheduling") == 0


@pytest.mark.parametrize(
    ("quiet_from", "deferred"),
    [
        pytest.param(-1, 1, id="booked in quiet hours: held until they end"),
        pytest.param(+3, 0, id="booked outside them: goes at once"),
    ],
)
async def test_a_confirmation_held_by_quiet_hours_counts_as_deferred(
    stack: Stack, quiet_from: int, deferred: int
) -> None:
    """Quiet hours for two hours from `quiet_from` hours off the booking's real time (its
    events' time, which the rules apply at): the night, wherever the test runs."""
    start = (datetime.now(PARIS) + timedelta(hours=quiet_from)).replace(minute=0)
    window = {"start": f"{start:%H:%M}", "end": f"{start + timedelta(hours=2):%H:%M}"}
    policy = (
        await stack.clients["notifications"].get("/v1/policy", headers=bearer("admin"))
    ).json()
    policy["quiet_hours"] = [window]
    saved = await stack.clients["notifications"].put(
        "/v1/policy", json=policy, headers=bearer("admin")
    )
    assert saved.status_code == 200, saved.text
    await book_one_session(stack)

    async def confirmations() -> dict[tuple[str, frozenset], float]:
        return await _samples(stack, "notifications")

    samples = await eventually(
        confirmations,
        until=lambda s: _value(s, "clinic_messages", kind="confirmation") >= 2,
        timeout=20,
    )
    held = "clinic_messages_deferred_for_quiet_hours"
    for channel in ("sms", "email"):
        assert _value(samples, held, channel=channel, kind="confirmation") == deferred
    if deferred:  # planned for the end of quiet hours: not sent in them
        assert _value(samples, held, status="scheduled", kind="confirmation") == 2
