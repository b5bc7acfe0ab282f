"""Issue 19 item 7: a session holds the kit its course's prescription says (with or without
lidocaine, more or fewer vials), and a change of prescription re-reserves the sessions still
booked, whatever order the events arrive in."""

from __future__ import annotations

import uuid

from clinic_shared.contracts.events import (
    CoursePrescribed,
    KitAdjustment,
    SessionBooked,
    SessionCompleted,
)
from inventory.adapters.orm import lots

from .conftest import Inventory
from .events import PATIENT, held, lines, publish, session_event

COURSE = uuid.UUID(int=1)  # session_event's course


def prescribed(revision: int, **adjustments: int) -> CoursePrescribed:
    return CoursePrescribed(
        course_id=COURSE,
        patient_id=PATIENT,
        practitioner_id=uuid.UUID(int=2),
        treatment_code="cellulite-thighs",
        sessions_planned=10,
        revision=revision,
        min_interval_days=7,
        max_interval_days=10,
        kit_adjustments=[KitAdjustment(product_code=p, quantity=n) for p, n in adjustments.items()],
    )


async def _stock(inventory: Inventory) -> None:
    for product in ("caffeine", "l-carnitine", "artichoke", "vitamin-blend", "lidocaine"):
        await inventory.receive(product, f"{product.upper()}-1", 20)


async def _kit(inventory: Inventory, session: uuid.UUID) -> dict[str, int]:
    """Vials held or owed to the session, by product (one product may hold several rows)."""
    kit: dict[str, int] = {}
    for line in await lines(inventory, session):
        if line["status"] in ("reserved", "short"):
            kit[line["product_code"]] = kit.get(line["product_code"], 0) + line["quantity"]
    return kit


def _thighs(session: uuid.UUID, days: int = 10) -> SessionBooked:
    return session_event(SessionBooked, session, days=days, treatment="cellulite-thighs")


async def test_a_session_holds_the_prescribed_kit(inventory: Inventory) -> None:
    await _stock(inventory)
    await publish(inventory, prescribed(1, lidocaine=0, caffeine=3))
    session = uuid.uuid4()
    await publish(inventory, _thighs(session))
    assert await _kit(inventory, session) == {
        "caffeine": 3,
        "l-carnitine": 2,
        "artichoke": 1,
        "vitamin-blend": 1,
    }


async def test_a_change_re_reserves_the_sessions_not_yet_done(inventory: Inventory) -> None:
    await _stock(inventory)
    await publish(inventory, prescribed(1))
    done, upcoming = uuid.uuid4(), uuid.uuid4()
    await publish(inventory, _thighs(done, days=3))
    await publish(inventory, _thighs(upcoming, days=12))
    await publish(inventory, session_event(SessionCompleted, done, days=3))
    before = await held(inventory, done)

    await publish(inventory, prescribed(2, lidocaine=0, artichoke=2))

    assert await _kit(inventory, upcoming) == {
        "caffeine": 2,
        "l-carnitine": 2,
        "artichoke": 2,
        "vitamin-blend": 1,
    }
    assert await held(inventory, done) == before  # done is done
    lidocaine = {r.product_code: r for r in await inventory.rows(lots)}["lidocaine"]
    assert (lidocaine.reserved, lidocaine.consumed) == (0, 1)  # the vial given back is free


async def test_a_late_older_prescription_changes_nothing(inventory: Inventory) -> None:
    await _stock(inventory)
    session = uuid.uuid4()
    await publish(inventory, _thighs(session))  # booked before any prescription arrived
    await publish(inventory, prescribed(2, lidocaine=0))
    await publish(inventory, prescribed(1, lidocaine=2))  # older, late
    assert await _kit(inventory, session) == {
        "caffeine": 2,
        "l-carnitine": 2,
        "artichoke": 1,
        "vitamin-blend": 1,
    }
