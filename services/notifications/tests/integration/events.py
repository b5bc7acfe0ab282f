"""Building and publishing scheduling's events in tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from clinic_shared.contracts import Envelope, Event
from clinic_shared.contracts.events import PatientRegistered
from clinic_testing.helpers import bearer, eventually
from notifications.adapters.orm import inbox

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
STARTS = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # Wednesday 10:00 in Paris


@dataclass
class Session:
    patient_id: uuid.UUID = field(default_factory=uuid.uuid4)
    session_id: uuid.UUID = field(default_factory=uuid.uuid4)
    course_id: uuid.UUID = field(default_factory=uuid.uuid4)
    practitioner_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def facts(self, starts_at: datetime = STARTS, **extra: Any) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "course_id": self.course_id,
            "patient_id": self.patient_id,
            "practitioner_id": self.practitioner_id,
            "room_id": uuid.uuid4(),
            "treatment_code": "cellulite-thighs",
            "sequence": 3,
            "sessions_planned": 10,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=30),
            **extra,
        }

    def contact(self, **changes: Any) -> PatientRegistered:
        values = {"phone": "+33612345678", "consent_sms": True, "consent_email": True} | changes
        return PatientRegistered(
            patient_id=self.patient_id,
            first_name="Amelia",
            last_name="Hart",
            email="amelia@example.com",
            **values,
        )


def envelope(event: Event, at: datetime = T0) -> Envelope:
    return Envelope.wrap(event, producer="scheduling", correlation_id="test", occurred_at=at)


async def publish(app: FastAPI, *events: Envelope) -> None:
    """Publish and wait until notifications has handled them all."""
    runtime = app.state.runtime
    async with runtime.db.session() as session:
        before = int(await session.scalar(sa.select(sa.func.count()).select_from(inbox)) or 0)
    for item in events:
        await runtime.message_bus.publish(item)

    async def handled() -> int:
        async with runtime.db.session() as session:
            return int(await session.scalar(sa.select(sa.func.count()).select_from(inbox)) or 0)

    await eventually(handled, until=lambda n: n >= before + len({e.id for e in events}))


async def messages(client: httpx.AsyncClient, **filters: Any) -> list[dict[str, Any]]:
    params = {k: str(v) for k, v in filters.items()}
    response = await client.get("/v1/messages", params=params, headers=bearer("receptionist"))
    assert response.status_code == 200, response.text
    return list(response.json())
