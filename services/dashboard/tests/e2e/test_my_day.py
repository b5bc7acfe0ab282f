"""A practitioner's "My day" in the browser: her sessions first, a session completed with a lot
typed by its number, after a recalled lot was refused (issue 23)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from playwright.async_api import expect

from clinic_shared.auth import Role
from clinic_testing.helpers import eventually

from .conftest import screenshot
from .test_agenda import open_day, starts


async def _recall_and_receive(stack: Any) -> None:
    """CAF-2417 is recalled; a new caffeine lot, CAF-3001, arrives (in no one's list yet)."""
    async with stack.api("inventory") as inventory:
        lots = await inventory.get("/v1/lots", params={"product_code": "caffeine"})
        [recalled] = [lot for lot in lots.json() if lot["lot_number"] == "CAF-2417"]
        assert (await inventory.post(f"/v1/lots/{recalled['id']}/recall")).status_code == 200
        receipt = {
            "product_code": "caffeine",
            "lot_number": "CAF-3001",
            "expires_on": (date.today() + timedelta(days=300)).isoformat(),
            "quantity": 20,
        }
        assert (await inventory.post("/v1/receipts", json=receipt)).status_code == 201


async def test_a_practitioner_completes_her_session_by_lot_number(stack, signed_in) -> None:
    first, *_ = await stack.demo_sessions()
    await _recall_and_receive(stack)
    stack.travel_to("scheduling", starts(first) + timedelta(hours=1))
    stack.travel_to("dashboard", starts(first) + timedelta(hours=1))  # buttons show once started
    page = await signed_in(Role.PRACTITIONER)
    await expect(page.get_by_role("link", name="My day")).to_have_attribute("aria-current", "page")

    await open_day(page, first)
    mine = page.locator("#agenda section").first
    await expect(mine.get_by_role("heading")).to_have_text("Your sessions (Dr Claire Dubois)")
    row = mine.locator(f"#session-{first['id']}")
    await row.get_by_role("button", name="Complete").click()
    caffeine = page.locator("#f-lot_caffeine")
    await expect(caffeine.locator("option:checked")).to_contain_text("reserved for this session")

    typed = page.locator("#f-typed_caffeine")
    await typed.fill("CAF-2417")
    await page.get_by_role("button", name="Complete the session").click()
    refusal = page.locator("#e-typed_caffeine")
    await expect(refusal).to_have_text("Lot CAF-2417 is recalled: it may not be used.")
    await expect(typed).to_have_value("CAF-2417")
    await screenshot(page, "my-day-recalled-lot")

    await typed.fill("caf-3001")
    await page.get_by_role("button", name="Complete the session").click()

    await expect(page.get_by_role("status")).to_have_text("The session is completed.")
    await expect(row).to_contain_text("Completed")
    await screenshot(page, "my-day-completed")
    async with stack.api("inventory") as inventory:

        async def consumed() -> list[dict[str, Any]]:
            found = await inventory.get("/v1/traceability", params={"lot_number": "CAF-3001"})
            return list(found.json()["consumptions"])

        uses = await eventually(consumed, timeout=20)
    assert [(u["session_id"], u["quantity"]) for u in uses] == [(first["id"], 2)]
