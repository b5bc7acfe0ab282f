"""The stock reports' figures: vials per treatment against the kits, and expiry waste."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from clinic_shared.contracts.events import (
    CoursePrescribed,
    KitAdjustment,
    ProductUsed,
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
)
from clinic_shared.db import utcnow
from clinic_testing.helpers import bearer, clinic_today

from .conftest import Inventory
from .events import PATIENT, publish, session_event

DESK = bearer("receptionist")


def _span(first: int, last: int) -> dict[str, str]:
    today = clinic_today()
    return {
        "from": (today + timedelta(days=first)).isoformat(),
        "to": (today + timedelta(days=last)).isoformat(),
    }


async def _report(inventory: Inventory, name: str, params: dict[str, str]) -> httpx.Response:
    return await inventory.client.get(f"/v1/reports/{name}", params=params, headers=DESK)


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def _session(inventory: Inventory, days: int, *ends: Any) -> None:
    session = uuid.uuid4()
    await publish(inventory, session_event(SessionBooked, session, days=days))
    for end in ends:
        await publish(inventory, end(session, days))


def _completed(used: list[ProductUsed]) -> Any:
    return lambda session, days: session_event(
        SessionCompleted, session, days=days, products_used=used
    )


def _cancelled(session: uuid.UUID, days: int) -> SessionCancelled:
    return session_event(SessionCancelled, session, days=days)


async def test_vials_set_what_the_kits_planned_against_what_was_used(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 10)
    await inventory.receive("vitamin-blend", "VIT-1", 10)
    # the arms' kit: a caffeine and a vitamin blend a session
    await _session(inventory, -3, _completed([]))  # the kit as reserved
    two_caffeine = [ProductUsed(product_code="caffeine", lot_number="CAF-1", quantity=2)]
    await _session(inventory, -2, _completed(two_caffeine))  # no vitamin blend
    await _session(inventory, -1, _cancelled)
    await _session(inventory, 5)  # still to come

    rows = _ok(await _report(inventory, "vials", _span(-7, 0)))

    assert [
        (r["treatment_code"], r["product_name"], r["sessions"], r["planned"], r["consumed"])
        for r in rows
    ] == [
        ("cellulite-arms", "Caffeine 2.5%", 2, 2, 3),
        ("cellulite-arms", "Multivitamin blend", 2, 2, 1),
    ]
    assert _ok(await _report(inventory, "vials", _span(-100, -90))) == []


async def test_vials_planned_follow_the_course_s_prescribed_kit(inventory: Inventory) -> None:
    for product in ("caffeine", "vitamin-blend", "lidocaine"):
        await inventory.receive(product, f"{product.upper()}-1", 10)
    adjusted = {"caffeine": 3, "vitamin-blend": 0, "lidocaine": 1}  # 0: left out; lidocaine added
    await publish(
        inventory,
        CoursePrescribed(
            course_id=uuid.UUID(int=1),  # session_event's course
            patient_id=PATIENT,
            practitioner_id=uuid.UUID(int=2),
            treatment_code="cellulite-arms",
            sessions_planned=10,
            revision=1,
            min_interval_days=7,
            max_interval_days=15,
            kit_adjustments=[
                KitAdjustment(product_code=p, quantity=n) for p, n in adjusted.items()
            ],
        ),
    )
    await _session(inventory, -2, _completed([]))

    rows = _ok(await _report(inventory, "vials", _span(-7, 0)))

    assert [(r["product_code"], r["planned"], r["consumed"]) for r in rows] == [
        ("caffeine", 3, 3),
        ("lidocaine", 1, 1),
    ]


async def test_expiry_waste_counts_the_vials_left_in_lots_expired_in_the_span(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-OLD", 5, days=2)
    await inventory.receive("vitamin-blend", "VIT-NEW", 5, days=40)
    assert _ok(await _report(inventory, "expiry-waste", _span(0, 30))) == []  # not yet

    inventory.app.state.runtime.clock = lambda: utcnow() + timedelta(days=5)

    [wasted] = _ok(await _report(inventory, "expiry-waste", _span(0, 30)))
    assert (wasted["product_name"], wasted["lot_number"], wasted["wasted"]) == (
        "Caffeine 2.5%",
        "CAF-OLD",
        5,
    )
    assert wasted["expires_on"] == _span(2, 2)["from"]
    assert _ok(await _report(inventory, "expiry-waste", _span(3, 30))) == []


@pytest.mark.parametrize("name", ["vials", "expiry-waste"])
async def test_a_span_in_year_9999_is_empty_and_a_backwards_one_a_422(
    inventory: Inventory, name: str
) -> None:
    far = {"from": "9999-12-01", "to": "9999-12-31"}
    backwards = {"from": "2030-03-10", "to": "2030-03-04"}

    assert _ok(await _report(inventory, name, far)) == []
    refused = await _report(inventory, name, backwards)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["query.to"]
