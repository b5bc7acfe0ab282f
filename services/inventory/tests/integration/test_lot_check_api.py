"""POST /v1/lots/check: may these lots go into a patient on the session's day, and why not."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from clinic_testing.helpers import bearer, clinic_today
from inventory.adapters.orm import lots

from .conftest import STOCK, Inventory


def ten_days_on() -> date:
    """The session's day, read when the test runs (a day read when the module is collected
    went stale when a run crossed the clinic's midnight)."""
    return clinic_today() + timedelta(days=10)


async def check(
    inventory: Inventory,
    *lines: tuple[str, str],
    role: str = "practitioner",
    session_on: date | None = None,
) -> Any:
    body = {
        "session_on": (session_on or ten_days_on()).isoformat(),
        "lines": [{"product_code": p, "lot_number": n} for p, n in lines],
    }
    return await inventory.client.post("/v1/lots/check", json=body, headers=bearer(role))


async def test_each_line_says_whether_the_lot_may_be_used_and_why_not(
    inventory: Inventory,
) -> None:
    good = await inventory.receive("caffeine", "CAF-GOOD", 5, days=60)
    bad = await inventory.receive("caffeine", "CAF-BAD", 5, days=60)
    await inventory.client.post(f"/v1/lots/{bad['id']}/recall", headers=STOCK)
    early = await inventory.receive("caffeine", "CAF-EARLY", 5, days=4)
    that_day = await inventory.receive("caffeine", "CAF-THAT-DAY", 5, days=10)
    session_on = date.fromisoformat(that_day["expires_on"])  # the lot's last day is the session's

    response = await check(
        inventory,
        ("caffeine", " caf-good"),
        ("caffeine", "CAF-BAD"),
        ("caffeine", "CAF-EARLY"),
        ("caffeine", "CAF-THAT-DAY"),
        ("caffeine", "CAF-NEVER"),
        ("caffeine-x", "CAF-GOOD"),
        session_on=session_on,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["session_on"], body["usable"]) == (session_on.isoformat(), False)
    found = [(x["lot_number"], x["usable"], x["reason"], x["detail"]) for x in body["lines"]]
    assert found == [
        ("caf-good", True, None, None),
        ("CAF-BAD", False, "recalled", "recalled"),
        ("CAF-EARLY", False, "expired", f"expired on {early['expires_on']}"),
        ("CAF-THAT-DAY", False, "expired", f"expired on {session_on.isoformat()}"),
        ("CAF-NEVER", False, "unknown_lot", "unknown lot"),
        ("CAF-GOOD", False, "unknown_product", "unknown product"),
    ]
    assert body["lines"][0]["lot_id"] == good["id"]
    assert body["lines"][4]["lot_id"] is None


async def test_every_lot_fit_for_the_day_makes_the_whole_check_usable_and_changes_nothing(
    inventory: Inventory,
) -> None:
    await inventory.receive("caffeine", "CAF-1", 5)
    await inventory.receive("vitamin-blend", "VIT-1", 5)
    before = await inventory.rows(lots)

    response = await check(
        inventory, ("caffeine", "CAF-1"), ("vitamin-blend", "vit-1"), role="receptionist"
    )

    assert response.status_code == 200, response.text
    assert response.json()["usable"] is True
    assert await inventory.rows(lots) == before


async def test_a_check_without_a_day_or_lines_is_refused_naming_the_field(
    inventory: Inventory,
) -> None:
    no_day = await inventory.client.post(
        "/v1/lots/check",
        json={"lines": [{"product_code": "caffeine", "lot_number": "X"}]},
        headers=STOCK,
    )
    no_lines = await inventory.client.post(
        "/v1/lots/check", json={"session_on": "2030-03-04", "lines": []}, headers=STOCK
    )
    assert no_day.status_code == no_lines.status_code == 422
    assert [e["field"] for e in no_day.json()["errors"]] == ["body.session_on"]
    assert [e["field"] for e in no_lines.json()["errors"]] == ["body.lines"]
