"""A session completed with the lots used, scheduling asking the real inventory over HTTP.

A recalled, expired or unknown lot, or an unknown product, is refused with 422 naming the line
and nothing is recorded on either side: the session stays booked and its vials reserved. With
inventory down the practitioner gets a 503 and, once it is back, completes the session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa

from clinic_testing.helpers import Served, bearer, eventually, running
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from scheduling.adapters.orm import outbox
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.settings import SchedulingSettings

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.rabbitmq]
PARIS = ZoneInfo("Europe/Paris")
MONDAY, SESSION_DAY = date(2030, 3, 4), date(2030, 3, 11)
DESK, ADMIN = bearer("receptionist"), bearer("admin")
STOCK = bearer("stock_manager")


@dataclass
class Clinic:
    scheduling: httpx.AsyncClient
    inventory: httpx.AsyncClient
    inventory_server: Served
    scheduling_app: Any
    patient: str = ""
    session: str = ""
    doctor: dict[str, str] = field(default_factory=dict)
    """The session's practitioner's token (it names them: their own session)."""

    async def complete(self, *lines: tuple[str, str]) -> httpx.Response:
        used = [{"product_code": p, "lot_number": n, "quantity": 1} for p, n in lines]
        return await self.scheduling.post(
            f"/v1/sessions/{self.session}/complete",
            json={"products_used": used},
            headers=self.doctor,
        )

    async def reservations(self) -> set[tuple[str, str, str]]:
        found = await self.inventory.get(
            "/v1/reservations", params={"session_id": self.session}, headers=STOCK
        )
        if found.status_code == 404:  # the booking has not reached inventory yet
            return set()
        return {(r["product_code"], r["lot_number"], r["status"]) for r in found.json()}

    async def consumed(self) -> list[tuple[str, str]]:
        found = await self.inventory.get(
            "/v1/traceability", params={"patient_id": self.patient}, headers=ADMIN
        )
        return [(c["product_code"], c["lot_number"]) for c in found.json()["consumptions"]]

    async def session_status(self) -> str:
        read = await self.scheduling.get(f"/v1/sessions/{self.session}", headers=ADMIN)
        return str(read.json()["status"])

    async def completions_sent(self) -> int:
        async with self.scheduling_app.state.runtime.db.session() as db:
            types = (await db.scalars(sa.select(outbox.c.type))).all()
        return sum(t == "scheduling.session.completed" for t in types)


@asynccontextmanager
async def clinic_stack(stack_settings: Any) -> AsyncIterator[Clinic]:
    """Inventory served over HTTP with stock; scheduling calling it; one session booked for
    Monday 11 March 2030 at 10:00, its kit reserved, and the clock at 10:30 that day."""
    inventory = Served(inventory_app(await stack_settings(InventorySettings)))
    await inventory.start()
    settings = await stack_settings(SchedulingSettings, inventory_url=inventory.url)
    app = scheduling_app(settings)
    app.state.runtime.clock = lambda: datetime.combine(MONDAY, time(8), tzinfo=PARIS)
    try:
        async with (
            running(app) as scheduling,
            httpx.AsyncClient(base_url=inventory.url, timeout=10) as stock,
        ):
            clinic = Clinic(scheduling, stock, inventory, app)
            await _stock(clinic)
            await _book(clinic)
            await eventually(clinic.reservations, until=lambda r: len(r) == 4, timeout=20)
            moment = datetime.combine(SESSION_DAY, time(10, 30), tzinfo=PARIS)
            app.state.runtime.clock = lambda: moment
            yield clinic
    finally:
        await inventory.stop()


async def _stock(clinic: Clinic) -> None:
    lots = [
        ("caffeine", "CAF-GOOD", "2031-01-31"),
        ("caffeine", "CAF-BAD", "2031-01-31"),
        ("caffeine", "CAF-OLD", "2030-03-08"),
        ("l-carnitine", "LC-1", "2031-01-31"),
        ("artichoke", "ART-1", "2031-01-31"),
        ("vitamin-blend", "VIT-1", "2031-01-31"),
    ]
    for product, number, expires_on in lots:
        body = {"product_code": product, "lot_number": number, "expires_on": expires_on}
        received = await clinic.inventory.post(
            "/v1/receipts", json=body | {"quantity": 5}, headers=STOCK
        )
        assert received.status_code == 201, received.text
        if number == "CAF-BAD":
            recall = f"/v1/lots/{received.json()['id']}/recall"
            assert (await clinic.inventory.post(recall, headers=STOCK)).status_code == 200


async def _book(clinic: Clinic) -> None:
    api = clinic.scheduling
    doctor = (await api.post("/v1/practitioners", json={"name": "Dr A"}, headers=ADMIN)).json()
    clinic.doctor = bearer("practitioner", practitioner_id=doctor["id"])
    hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]
    await api.put(f"/v1/practitioners/{doctor['id']}/hours", json=hours, headers=ADMIN)
    room = (await api.post("/v1/rooms", json={"name": "R"}, headers=ADMIN)).json()["id"]
    patient = {"first_name": "A", "last_name": "B", "phone": "+447911123456"}
    clinic.patient = (await api.post("/v1/patients", json=patient, headers=DESK)).json()["id"]
    course = {
        "patient_id": clinic.patient,
        "treatment_code": "cellulite-abdomen",
        "practitioner_id": doctor["id"],
        "sessions_planned": 8,
    }
    course_id = (await api.post("/v1/courses", json=course, headers=DESK)).json()["id"]
    starts_at = datetime.combine(SESSION_DAY, time(10), tzinfo=PARIS).isoformat()
    booking = {"course_id": course_id, "starts_at": starts_at, "room_id": room}
    booked = await api.post("/v1/sessions", json=booking, headers=DESK)
    assert booked.status_code == 201, booked.text
    clinic.session = booked.json()["id"]


KIT_HELD = {
    ("caffeine", "CAF-GOOD", "reserved"),
    ("l-carnitine", "LC-1", "reserved"),
    ("artichoke", "ART-1", "reserved"),
    ("vitamin-blend", "VIT-1", "reserved"),
}


async def test_a_recalled_expired_or_unknown_lot_is_refused_and_nothing_is_recorded(
    stack_settings,
) -> None:
    async with clinic_stack(stack_settings) as clinic:
        refused = await clinic.complete(
            ("caffeine", "caf-good "),
            ("caffeine", "caf-bad"),
            ("caffeine", "CAF-OLD"),
            ("caffeine", "CAF-NEVER"),
            ("glitter", "G-1"),
        )

        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [(e["line"], e["field"], e["reason"]) for e in refused.json()["errors"]] == [
            (1, "body.products_used.1.lot_number", "recalled"),
            (2, "body.products_used.2.lot_number", "expired on 2030-03-08"),
            (3, "body.products_used.3.lot_number", "unknown lot"),
            (4, "body.products_used.4.product_code", "unknown product"),
        ]
        assert await clinic.session_status() == "booked"
        assert await clinic.completions_sent() == 0
        assert await clinic.reservations() == KIT_HELD
        assert await clinic.consumed() == []

        done = await clinic.complete(("caffeine", " caf-good"))

        assert done.status_code == 200, done.text
        used = await eventually(clinic.consumed, timeout=20)
        assert used == [("caffeine", "CAF-GOOD")]
        assert ("caffeine", "CAF-GOOD", "consumed") in await clinic.reservations()


async def test_with_inventory_down_completion_is_503_and_succeeds_once_it_is_back(
    stack_settings,
) -> None:
    async with clinic_stack(stack_settings) as clinic:
        await clinic.inventory_server.stop()

        refused = await clinic.complete(("caffeine", "CAF-GOOD"))

        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["service"] == "inventory"
        assert await clinic.session_status() == "booked"
        assert await clinic.completions_sent() == 0

        await clinic.inventory_server.start()
        done = await clinic.complete(("caffeine", "CAF-GOOD"))

        assert done.status_code == 200, done.text
        assert await eventually(clinic.consumed, timeout=20) == [("caffeine", "CAF-GOOD")]
