"""The orders page: a draft is edited, sent and received against; refusals shown on the page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]
STOCK = bearer(Role.STOCK_MANAGER)


async def hand_draft(clinic: Clinic) -> dict[str, Any]:
    inventory = clinic.api("inventory")
    terms = {"product_code": "lidocaine", "lead_time_days": 4, "pack_size": 5, "minimum_order": 5}
    supplier = {"name": "Meso Pharma", "email": "orders@meso.example", "products": [terms]}
    added = await inventory.post("/v1/suppliers", json=supplier, headers=STOCK)
    assert added.status_code == 201, added.text
    body = {
        "supplier_id": added.json()["id"],
        "lines": [{"product_code": "lidocaine", "quantity": 20}],
    }
    draft = await inventory.post("/v1/purchase-orders", json=body, headers=STOCK)
    assert draft.status_code == 201, draft.text
    return dict(draft.json())


async def test_a_draft_is_edited_sent_and_received_from_the_page(clinic: Clinic) -> None:
    draft = await hand_draft(clinic)
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)
    page = (await clinic.client.get("/orders")).text
    for words in ("Meso Pharma", "added by staff", "Send to supplier"):
        assert words in page
    url = f"/orders/{draft['id']}"

    edited = await clinic.client.post(
        f"{url}/lines", data={"qty-lidocaine": "25", "csrf_token": token}
    )
    assert edited.status_code == 303
    assert (
        'name="qty-lidocaine" type="number" min="0" value="25"'
        in (await clinic.client.get("/orders")).text
    )
    sent = await clinic.client.post(f"{url}/send", data={"csrf_token": token})
    assert sent.status_code == 303
    assert "Order sent" in (await clinic.client.get(sent.headers["location"])).text

    lot = {
        "product_code": "lidocaine",
        "lot_number": "LID-77",
        "expires_on": "2031-01-31",
        "csrf_token": token,
    }
    too_many = await clinic.client.post(f"{url}/receipts", data=lot | {"quantity": "30"})
    assert too_many.status_code == 422
    assert "more than the 25 still due: say why" in too_many.text
    assert 'value="LID-77"' in too_many.text
    received = await clinic.client.post(f"{url}/receipts", data=lot | {"quantity": "10"})
    assert received.status_code == 303
    page = (await clinic.client.get("/orders")).text
    assert re.search(
        r"partially received</span></h2>\s*<p>\s*Expected \w{3} \d{2} \w{3} ·"
        r"\s*15 vials still due",
        page,
    )


async def test_only_stock_staff_see_the_orders_page(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)
    assert (await clinic.client.get("/orders")).status_code == 403


async def test_proposing_with_nothing_to_order_says_so(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.ADMIN)
    answer = await clinic.client.post("/orders/proposals", data={"csrf_token": token})
    assert answer.status_code == 303
    assert "Nothing to order" in (await clinic.client.get(answer.headers["location"])).text
