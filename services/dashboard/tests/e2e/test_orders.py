"""A stock manager sends a purchase order and receives its delivery in two parts, in Chromium."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import expect

from clinic_shared.auth import Role

from .conftest import E2EStack, screenshot
from .test_agenda import POLL


async def test_a_draft_is_sent_and_received_in_two_parts_from_the_orders_page(
    stack: E2EStack, signed_in
) -> None:
    async with stack.api("inventory", Role.STOCK_MANAGER) as inventory:
        terms = {
            "product_code": "lidocaine",
            "lead_time_days": 4,
            "pack_size": 5,
            "minimum_order": 5,
        }
        added = await inventory.post(
            "/v1/suppliers", json={"name": "Meso Pharma", "products": [terms]}
        )
        assert added.status_code == 201, added.text
        lines = [{"product_code": "lidocaine", "quantity": 20}]
        draft = await inventory.post(
            "/v1/purchase-orders", json={"supplier_id": added.json()["id"], "lines": lines}
        )
        assert draft.status_code == 201, draft.text
    order = f"#order-{draft.json()['id']}"

    keeper = await signed_in(Role.STOCK_MANAGER)
    await keeper.get_by_role("link", name="Orders").click()
    card = keeper.locator(order)
    await expect(card).to_contain_text("added by staff", timeout=POLL)
    await card.get_by_label("Vials of Lidocaine 2%").fill("25")
    await card.get_by_role("button", name="Save quantities").click()
    await expect(keeper.get_by_role("status")).to_have_text("Draft saved.")
    await keeper.locator(order).get_by_role("button", name="Send to supplier").click()
    await expect(keeper.get_by_role("status")).to_have_text("Order sent.")
    await screenshot(keeper, "orders")

    expires_on = (date.today() + timedelta(days=400)).isoformat()
    for lot, vials, due in (("LID-E2E", "10", "15 vials still due"), ("LID-E2E", "15", None)):
        card = keeper.locator(order)
        await card.get_by_label("Lot number").fill(lot)
        await card.get_by_label("Expires on").fill(expires_on)
        await card.get_by_label("Vials received").fill(vials)
        await card.get_by_role("button", name="Receive").click()
        await expect(keeper.get_by_role("status")).to_have_text("Delivery received.")
        if due:
            await expect(keeper.locator(order)).to_contain_text(due)
    await expect(keeper.locator(order)).to_have_count(0)
    await expect(keeper.get_by_role("region", name="Received and cancelled")).to_contain_text(
        "Meso Pharma: received (25/25 Lidocaine 2%)"
    )
