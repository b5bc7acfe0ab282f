"""Completing a session with the lots used: inventory is asked first, nothing recorded unless
every lot may be used; when inventory cannot say, 503 and the practitioner tries again."""

from __future__ import annotations

from datetime import datetime, time

import httpx
import pytest
import sqlalchemy as sa

from scheduling.adapters.orm import outbox

from .conftest import ADMIN, INVENTORY_TIMEOUT_SECONDS, MONDAY, PARIS, Clinic, local

USED = [
    {"product_code": "caffeine", "lot_number": "CAF-1", "quantity": 1},
    {"product_code": "caffeine", "lot_number": "CAF-BAD", "quantity": 1},
    {"product_code": "caffeine-x", "lot_number": "X-1", "quantity": 1},
]


async def _started_session(clinic: Clinic) -> tuple[str, str]:
    """A one-session course's session, booked today at 10:00, now under way."""
    course = await clinic.course(sessions_planned=1)
    session = await clinic.book_ok(course, local(MONDAY))
    clinic.travel_to(datetime.combine(MONDAY, time(10, 20), tzinfo=PARIS))
    return course, str(session["id"])


async def _complete(
    clinic: Clinic,
    session: str,
    used: list[dict[str, object]],
    doctor: dict[str, str] | None = None,
) -> httpx.Response:
    body = {"products_used": used}
    return await clinic.post(f"/v1/sessions/{session}/complete", body, doctor or clinic.doctor)


async def _nothing_recorded(clinic: Clinic, course: str, session: str) -> None:
    read = await clinic.client.get(f"/v1/sessions/{session}", headers=ADMIN)
    assert read.json()["status"] == "booked"
    view = await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)
    assert view.json()["status"] == "active"
    async with clinic.app.state.runtime.db.session() as db:
        types = set((await db.scalars(sa.select(outbox.c.type))).all())
    assert not types & {"scheduling.session.completed", "scheduling.course.completed"}


async def test_lots_inventory_refuses_are_a_422_naming_each_line_and_nothing_is_recorded(
    clinic: Clinic,
) -> None:
    course, session = await _started_session(clinic)
    clinic.inventory.refuse("caffeine", "CAF-BAD", "recalled", "recalled")
    clinic.inventory.refuse("caffeine-x", "X-1", "unknown_product", "unknown product")

    refused = await _complete(clinic, session, USED)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith("/unusable-lot")
    assert "CAF-BAD (caffeine): recalled" in problem["detail"]
    assert [(e["field"], e["reason"], e["line"]) for e in problem["errors"]] == [
        ("body.products_used.1.lot_number", "recalled", 1),
        ("body.products_used.2.product_code", "unknown product", 2),
    ]
    await _nothing_recorded(clinic, course, session)


async def test_an_expired_or_unknown_lot_is_named_with_inventorys_words(clinic: Clinic) -> None:
    course, session = await _started_session(clinic)
    clinic.inventory.refuse("caffeine", "CAF-OLD", "expired", "expired on 2030-03-02")
    clinic.inventory.refuse("caffeine", "CAF-NEVER", "unknown_lot", "unknown lot")
    used = [
        {"product_code": "caffeine", "lot_number": "CAF-OLD", "quantity": 1},
        {"product_code": "caffeine", "lot_number": "CAF-NEVER", "quantity": 2},
    ]

    refused = await _complete(clinic, session, used)

    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["reason"]) for e in refused.json()["errors"]] == [
        ("body.products_used.0.lot_number", "expired on 2030-03-02"),
        ("body.products_used.1.lot_number", "unknown lot"),
    ]
    await _nothing_recorded(clinic, course, session)


async def test_inventory_is_asked_for_the_sessions_clinic_day_with_the_callers_token(
    clinic: Clinic,
) -> None:
    _, session = await _started_session(clinic)

    doctor = clinic.doctor
    done = await _complete(clinic, session, USED[:1], doctor)

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    [asked] = clinic.inventory.asked
    assert asked["session_on"] == MONDAY.isoformat()
    assert asked["lines"] == [{"product_code": "caffeine", "lot_number": "CAF-1"}]
    assert asked["authorization"] == doctor["Authorization"]


@pytest.mark.parametrize("fault", ["down", "slow", "failing"])
async def test_when_inventory_cannot_answer_completion_is_503_and_a_retry_later_succeeds(
    clinic: Clinic, fault: str
) -> None:
    course, session = await _started_session(clinic)
    server = clinic.inventory.server
    assert server is not None
    if fault == "down":
        await server.stop()
    elif fault == "slow":
        clinic.inventory.delay = INVENTORY_TIMEOUT_SECONDS + 1
    else:
        clinic.inventory.status = 502

    refused = await _complete(clinic, session, USED[:1])

    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["service"] == "inventory"
    assert "nothing was recorded" in refused.json()["detail"]
    await _nothing_recorded(clinic, course, session)

    if fault == "down":
        await server.start()
    clinic.inventory.delay, clinic.inventory.status = 0.0, 200
    retried = await _complete(clinic, session, USED[:1])
    assert retried.status_code == 200, retried.text


async def test_a_completion_naming_no_lot_does_not_need_inventory(clinic: Clinic) -> None:
    _, session = await _started_session(clinic)
    assert clinic.inventory.server is not None
    await clinic.inventory.server.stop()

    done = await _complete(clinic, session, [])

    assert done.status_code == 200, done.text
    assert clinic.inventory.asked == []
