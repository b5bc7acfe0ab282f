"""The stock view and the forecast, through the API, against numbers worked out by hand."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from clinic_shared.contracts.events import CourseAbandoned, CourseCreated, SessionBooked
from clinic_testing.helpers import bearer, clinic_today
from inventory.entrypoints.workers import scan_once

from .conftest import STOCK, Inventory
from .events import publish, session_event


async def book(
    inventory: Inventory, days: int, *, planned: int = 1, course: uuid.UUID | None = None
):
    event = session_event(SessionBooked, uuid.uuid4(), days=days, treatment="gly-one")
    update = {"course_id": course or uuid.uuid4(), "sessions_planned": planned}
    await publish(inventory, event.model_copy(update=update))


async def test_stock_view_counts_on_hand_reserved_available_and_expiring(
    inventory: Inventory,
) -> None:
    await inventory.receive("lidocaine", "LID-SOON", 4, days=12)
    await inventory.receive("lidocaine", "LID-LATE", 6, days=200)
    await inventory.receive("caffeine", "CAF-1", 10, days=200)
    await inventory.receive("vitamin-blend", "VIT-1", 10, days=200)
    await publish(inventory, session_event(SessionBooked, uuid.uuid4(), days=3))

    response = await inventory.client.get("/v1/stock", headers=bearer("receptionist"))

    assert response.status_code == 200, response.text
    stock = {s["product_code"]: s for s in response.json()}
    assert set(stock) >= {"caffeine", "lidocaine", "glycolic-acid"}
    assert stock["lidocaine"] | {"projected_stockout_on": None} == {
        "product_code": "lidocaine",
        "on_hand": 10,
        "reserved": 0,
        "available": 10,
        "expiring_soon": 4,
        "expiring_window_days": 30,
        "projected_stockout_on": None,
        "safety_stock": 10,
        # LID-SOON's 4 vials expire on day 12: 6 left, under the safety stock of 10 from then.
        "below_safety_stock_on": (clinic_today() + timedelta(days=12)).isoformat(),
        "reorder_quantity": None,  # within the lead time of 5 days, 10 are still there
        "forecast_days": 60,
        "short_sessions": 0,
        "short_vials": 0,
        "first_short_on": None,
    }
    assert (stock["caffeine"]["reserved"], stock["caffeine"]["available"]) == (1, 9)
    assert stock["glycolic-acid"]["on_hand"] == 0


async def test_forecast_and_reorder_match_the_hand_computed_projection(
    inventory: Inventory,
) -> None:
    kit = {"items": [{"product_code": "glycolic-acid", "quantity": 1}]}
    assert (await inventory.client.put("/v1/kits/gly-one", json=kit, headers=STOCK)).is_success
    settings = {
        "lead_time_days": 5,
        "review_period_days": 3,
        "safety_stock": 2,
        "reorder_quantity": 10,
    }
    patch = await inventory.client.patch("/v1/products/glycolic-acid", json=settings, headers=STOCK)
    assert patch.status_code == 200
    await inventory.receive("glycolic-acid", "GLY-A", 3, days=3)
    await inventory.receive("glycolic-acid", "GLY-B", 5, days=19)
    for _ in range(2):
        await book(inventory, 1)
    for _ in range(3):
        await book(inventory, 5)
    await book(inventory, 5, planned=4, course=uuid.uuid4())  # 3 more expected, every 10 days

    response = await inventory.client.get(
        "/v1/stock/glycolic-acid/forecast", params={"days": 40}, headers=bearer("practitioner")
    )

    assert response.status_code == 200, response.text
    body = response.json()
    today = date.fromisoformat(body["days"][0]["day"])
    projected = [d["projected_available"] for d in body["days"]]
    # 8 on hand; 2 booked on day 1 from GLY-A; its last vial expires unused on day 3; 4 booked on
    # day 5 from GLY-B leave 1; the course's next sessions (days 15, 25, 35) take 1 each.
    expected = [8, 6, 6, 5, 5] + [1] * 10 + [0] * 10 + [-1] * 10 + [-2] * 5
    assert projected == expected
    assert [d["expected"] for d in body["days"] if d["expected"]] == [1, 1, 1]
    assert body["days"][3]["expiring"] == 1
    assert body["projected_stockout_on"] == (today + timedelta(days=25)).isoformat()
    # Day 5 (lead time) projects 1, below the safety stock of 2: order 2 - 1 = 1, in tens.
    assert body["reorder"]["quantity"] == 10


async def test_forecast_of_an_unknown_product_is_a_404_and_days_are_bounded(
    inventory: Inventory,
) -> None:
    unknown = await inventory.client.get("/v1/stock/unobtainium/forecast", headers=STOCK)
    too_long = await inventory.client.get(
        "/v1/stock/caffeine/forecast", params={"days": 0}, headers=STOCK
    )
    assert unknown.status_code == 404
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "query.days"


async def test_a_course_created_but_not_yet_booked_counts_its_sessions_to_come(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 50, days=300)
    created = CourseCreated(
        course_id=uuid.uuid4(),
        patient_id=uuid.uuid4(),
        practitioner_id=uuid.uuid4(),
        treatment_code="cellulite-thighs",  # 2 caffeine a session
        sessions_planned=3,
    )
    await publish(inventory, created)

    response = await inventory.client.get(
        "/v1/stock/caffeine/forecast", params={"days": 40}, headers=STOCK
    )

    expected = {d["day"]: d["expected"] for d in response.json()["days"] if d["expected"]}
    today = date.fromisoformat(response.json()["days"][0]["day"])
    assert expected == {(today + timedelta(days=n)).isoformat(): 2 for n in (10, 20, 30)}
    assert response.json()["days"][-1]["projected_available"] == 44


async def test_a_reorder_alert_is_settled_when_stock_arrives(inventory: Inventory) -> None:
    await scan_once(inventory.app.state.runtime)
    [before] = await reorders(inventory, "lidocaine")

    await inventory.receive("lidocaine", "LID-1", 3)
    [still] = await reorders(inventory, "lidocaine")  # 3 is still under the safety stock of 10
    await inventory.receive("lidocaine", "LID-2", 30)

    assert still["id"] != before["id"]
    assert still["message"].startswith("Reorder 7 Lidocaine 2%:")
    assert await reorders(inventory, "lidocaine") == []


async def reorders(inventory: Inventory, product: str) -> list[dict]:
    alerts = (await inventory.client.get("/v1/alerts", headers=STOCK)).json()
    return [a for a in alerts if a["kind"] == "reorder" and a["product_code"] == product]


async def test_an_abandoned_course_known_by_its_sessions_stops_counting_sessions_to_come(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 50, days=300)
    course = uuid.uuid4()
    booked = session_event(SessionBooked, uuid.uuid4(), days=2, treatment="cellulite-thighs")
    await publish(inventory, booked.model_copy(update={"course_id": course, "sessions_planned": 3}))

    async def expected() -> list[int]:
        response = await inventory.client.get(
            "/v1/stock/caffeine/forecast", params={"days": 40}, headers=STOCK
        )
        return [d["expected"] for d in response.json()["days"] if d["expected"]]

    assert await expected() == [2, 2]  # the course's two sessions still to book
    abandoned = CourseAbandoned(
        course_id=course,
        patient_id=booked.patient_id,
        practitioner_id=booked.practitioner_id,
        treatment_code="cellulite-thighs",
        sessions_planned=3,
    )
    await publish(inventory, abandoned)
    assert await expected() == []
