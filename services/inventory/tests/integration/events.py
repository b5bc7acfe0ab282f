"""Scheduling's session events as a test publishes them, and what inventory did with them."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar

from clinic_shared.contracts import Envelope, Event
from clinic_shared.contracts.events import SessionFacts
from clinic_testing.helpers import CLINIC_ZONE, clinic_today, eventually
from inventory.adapters.orm import inbox, outbox

from .conftest import STOCK, Inventory

F = TypeVar("F", bound=SessionFacts)
PATIENT = uuid.UUID("00000000-0000-4000-8000-00000000000a")


def starts_in(days: int) -> datetime:
    """09:00 at the clinic, `days` clinic-calendar days from today."""
    day = clinic_today() + timedelta(days=days)
    return datetime.combine(day, time(9), tzinfo=CLINIC_ZONE).astimezone(UTC)


def session_event(
    cls: type[F],
    session_id: uuid.UUID,
    *,
    days: int = 10,
    treatment: str = "cellulite-arms",
    patient_id: uuid.UUID = PATIENT,
    **extra: Any,
) -> F:
    starts = starts_in(days)
    return cls(
        session_id=session_id,
        course_id=uuid.UUID(int=1),
        patient_id=patient_id,
        practitioner_id=uuid.UUID(int=2),
        room_id=uuid.UUID(int=3),
        treatment_code=treatment,
        sequence=1,
        sessions_planned=10,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=20),
        **extra,
    )


async def publish(inventory: Inventory, event: Event, *, minutes_ago: int = 0) -> Envelope:
    """Publish as scheduling would, and wait until inventory has handled it."""
    occurred = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    envelope = Envelope.wrap(
        event, producer="scheduling", correlation_id="test", occurred_at=occurred
    )
    return await deliver(inventory, envelope)


async def deliver(inventory: Inventory, envelope: Envelope) -> Envelope:
    """Publish an event inventory has not seen and wait until it is handled, and the reorder
    reviews its stock changes ask for (left to a background loop) are done."""
    await inventory.app.state.runtime.message_bus.publish(envelope)

    async def handled() -> bool:
        return any(r.event_id == str(envelope.id) for r in await inventory.rows(inbox))

    await eventually(handled)
    await asyncio.wait_for(inventory.app.state.reorder_reviews.settled(), timeout=30)
    return envelope


async def lines(inventory: Inventory, session_id: uuid.UUID) -> list[dict[str, Any]]:
    response = await inventory.client.get(
        "/v1/reservations", params={"session_id": str(session_id)}, headers=STOCK
    )
    assert response.status_code == 200, response.text
    return list(response.json())


async def held(inventory: Inventory, session_id: uuid.UUID) -> set[tuple[str, str | None, int]]:
    """(product, lot number, quantity) of the session's live reservations and shortages."""
    return {
        (line["product_code"], line["lot_number"], line["quantity"])
        for line in await lines(inventory, session_id)
        if line["status"] in ("reserved", "short")
    }


async def emitted(inventory: Inventory, event_type: str) -> list[dict[str, Any]]:
    rows = await inventory.rows(outbox)
    bodies = [json.loads(r.body) for r in sorted(rows, key=lambda r: r.created_at)]
    return [b["data"] for b in bodies if b["type"] == event_type]
