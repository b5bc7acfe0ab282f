"""Rolling upgrades, events: while a rollout runs, a newer scheduling may emit an event with fields
this release does not know (an additive change keeps its version). This release's consumers, as
processes on RabbitMQ, apply it as they apply their own, and dead-letter nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import SessionBooked
from clinic_shared.messaging import BusOptions
from clinic_shared.messaging.rabbit import RabbitBus

from .stack import KIT, FaultStack

pytestmark = [
    pytest.mark.system,
    pytest.mark.postgres,
    pytest.mark.rabbitmq,
    pytest.mark.timeout(300),
]
# What a newer producer might add: a nested object, a list, a number, in the data.
NEWER_FIELDS = {
    "deposit_cents": 5000,
    "booked_via": {"channel": "online", "referrer": "newsletter"},
    "products_hint": ["caffeine", "vitamin-blend"],
}


async def test_a_newer_schedulings_session_event_is_applied_by_this_releases_consumers(
    fault_stack: FaultStack,
) -> None:
    stack = fault_stack
    await stack.start(1)
    (booking,) = await stack.setup_clinic(1, stock=5)
    (course,) = await stack.query(
        "scheduling",
        "SELECT patient_id, practitioner_id, treatment_code, sessions_planned "
        "FROM courses WHERE id = $1::uuid",
        booking.course_id,
    )
    event = SessionBooked(
        session_id=uuid.uuid4(),
        course_id=uuid.UUID(booking.course_id),
        patient_id=course["patient_id"],
        practitioner_id=course["practitioner_id"],
        room_id=uuid.UUID(booking.room_id),
        treatment_code=course["treatment_code"],
        sequence=1,
        sessions_planned=course["sessions_planned"],
        starts_at=booking.starts_at,
        ends_at=booking.starts_at + timedelta(minutes=15),
    )
    sent = Envelope.wrap(event, producer="scheduling", correlation_id="rolling-upgrade")
    newer = sent.model_copy(update={"data": sent.data | NEWER_FIELDS})
    bus = RabbitBus(stack.amqp_url, BusOptions(namespace=stack.namespace), name="newer")
    await bus.connect()
    try:
        await bus.publish(newer)
        await stack.settled(1, timeout=90)  # inventory and notifications both hold the session
        for consumer in ("inventory", "notifications"):
            assert await bus.dead_letter_count(consumer) == 0, consumer
    finally:
        await bus.close()
    reserved = await stack.query(
        "inventory",
        "SELECT product_code, sum(quantity) AS q FROM reservations "
        "WHERE session_id = $1 AND status = 'reserved' GROUP BY product_code",
        event.session_id,
    )
    assert {r["product_code"]: r["q"] for r in reserved} == KIT
    planned = await stack.scalar(
        "notifications", f"SELECT count(*) FROM messages WHERE session_id = '{event.session_id}'"
    )
    assert planned > 0  # its reminders are planned
