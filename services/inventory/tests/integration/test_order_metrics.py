"""What the "stock below safety with no order on its way" alert reads on /metrics: vials on
open purchase orders per product and status, as the orders go from draft to sent to received."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from .conftest import STOCK, Inventory
from .test_purchase_order_life import LINES, lot, proposed

DUE = "clinic_purchase_order_vials_due"


async def _due(inventory: Inventory) -> dict[tuple[str, str], float]:
    answer = await inventory.client.get("/metrics")
    assert answer.status_code == 200, answer.text
    return {
        (s.labels["product"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
        if s.name == DUE
    }


async def test_vials_on_order_follow_the_order_from_draft_to_received(
    inventory: Inventory,
) -> None:
    before = await _due(inventory)
    assert before[("glycolic-acid", "sent")] == 0  # every product shows, none on order yet
    assert set(before.values()) == {0}

    draft = await proposed(inventory)
    url = f"/v1/purchase-orders/{draft['id']}"
    drafted = await _due(inventory)
    assert drafted[("glycolic-acid", "draft")] == draft["lines"][0]["quantity"] == 30
    assert drafted[("glycolic-acid", "sent")] == 0

    assert (await inventory.client.put(f"{url}/lines", json=LINES, headers=STOCK)).is_success
    assert (await inventory.client.post(f"{url}/send", headers=STOCK)).is_success
    sent = await _due(inventory)
    assert (sent[("glycolic-acid", "draft")], sent[("glycolic-acid", "sent")]) == (0, 40)
    assert sent[("lidocaine", "sent")] == 10

    received = await inventory.client.post(f"{url}/receipts", json=lot(quantity=25), headers=STOCK)
    assert received.status_code == 200, received.text
    partly = await _due(inventory)
    assert partly[("glycolic-acid", "sent")] == 0
    assert partly[("glycolic-acid", "partially_received")] == 15
    assert partly[("lidocaine", "partially_received")] == 10

    rest = (lot(quantity=15), lot("lidocaine", "LID-9", 10))
    for body in rest:
        answer = await inventory.client.post(f"{url}/receipts", json=body, headers=STOCK)
        assert answer.status_code == 200, answer.text
    assert set((await _due(inventory)).values()) == {0}
