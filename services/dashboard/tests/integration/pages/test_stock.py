from __future__ import annotations

import re
from datetime import datetime

import pytest

from clinic_shared.auth import Role
from clinic_shared.paging import MAX_LIMIT
from clinic_testing.helpers import bearer, eventually

from .conftest import Clinic

RECEIPT = {"product_code": "caffeine", "lot_number": "CAF-9001", "expires_on": "2031-01-31"}

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


def on_hand(html: str, product: str) -> int:
    found = re.search(rf'id="product-{product}">.*?class="on-hand">(\d+)<', html, re.S)
    assert found, html
    return int(found.group(1))


async def test_receiving_a_delivery_adds_its_vials_and_lists_the_lot(clinic) -> None:
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)
    before = on_hand((await clinic.client.get("/stock/partial")).text, "caffeine")

    response = await clinic.client.post(
        "/stock/receipts", data=RECEIPT | {"quantity": "25", "csrf_token": token}
    )

    assert response.status_code == 303
    after = (await clinic.client.get("/stock/partial")).text
    assert on_hand(after, "caffeine") == before + 25
    assert "CAF-9001" in after
    assert "2031-01-31" in after


async def test_receiving_zero_vials_is_shown_beside_the_quantity(clinic) -> None:
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)

    response = await clinic.client.post(
        "/stock/receipts", data=RECEIPT | {"quantity": "0", "csrf_token": token}
    )

    assert response.status_code == 422
    assert re.search(r'<p class="error" id="e-quantity">', response.text)
    assert 'value="CAF-9001"' in response.text


async def test_a_refused_delivery_is_summed_up_at_the_top_with_a_link_to_its_field(clinic) -> None:
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)

    response = await clinic.client.post(
        "/stock/receipts",
        data=RECEIPT | {"expires_on": "2020-01-31", "quantity": "5", "csrf_token": token},
    )

    assert response.status_code == 422
    page = response.text
    summary = re.search(r'<div class="error-summary"[^>]*autofocus.*?</div>', page, re.S)
    assert summary, page
    assert re.search(r'<a href="#f-expires_on">Expires on: [^<]+</a>', summary.group(0))
    assert page.index("error-summary") < page.index('id="f-expires_on"')


async def test_the_receive_form_comes_before_the_long_lists(clinic) -> None:
    await clinic.sign_in_as(Role.STOCK_MANAGER)

    page = (await clinic.client.get("/stock")).text

    assert page.index('id="receive"') < page.index('id="stock"')
    assert page.index('id="receive"') < page.index('id="reservations"')


async def test_an_adjustment_without_a_reason_is_shown_beside_the_reason(clinic) -> None:
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)
    page = (await clinic.client.get("/stock")).text
    lot_id = re.search(r'<select id="a-lot_id".*?value="([^"]+)"', page, re.S)
    assert lot_id

    response = await clinic.client.post(
        "/stock/adjustments",
        data={"lot_id": lot_id.group(1), "kind": "breakage", "quantity": "1", "reason": " "}
        | {"csrf_token": token},
    )

    assert response.status_code == 422
    assert 'id="ae-reason"' in response.text


async def completed_first_demo_session(clinic: Clinic) -> str:
    """Complete the demo patient's first session with its reserved lot; that lot's number."""
    scheduling, inventory = clinic.api("scheduling"), clinic.api("inventory")
    auth = bearer(Role.ADMIN)
    [session] = (await scheduling.get("/v1/sessions", params={"limit": 1}, headers=auth)).json()
    lines = await eventually(
        lambda: inventory.get(
            "/v1/reservations", params={"session_id": session["id"]}, headers=auth
        ),
        until=lambda r: r.status_code == 200 and bool(r.json()),
    )
    used = [
        {"product_code": line["product_code"], "lot_number": line["lot_number"], "quantity": 1}
        for line in lines.json()
        if line["lot_number"]
    ]
    clinic.at("scheduling", datetime.fromisoformat(session["ends_at"]))
    done = await scheduling.post(
        f"/v1/sessions/{session['id']}/complete",
        json={"products_used": used[:1]},
        headers=bearer(Role.PRACTITIONER, practitioner_id=session["practitioner_id"]),
    )
    assert done.status_code == 200, done.text
    return str(used[0]["lot_number"])


async def _recall_treated_lot(clinic: Clinic, role: Role) -> str:
    """Recall, signed in as `role`, the lot the demo patient was treated with: the page."""
    lot_number = await completed_first_demo_session(clinic)
    token = await clinic.sign_in_as(role)

    async def traced() -> bool:
        found = await clinic.api("inventory").get(
            "/v1/traceability", params={"lot_number": lot_number}, headers=bearer(Role.ADMIN)
        )
        return bool(found.json()["patient_ids"])

    await eventually(traced)
    stock = (await clinic.client.get("/stock/partial")).text
    lot_id = re.search(
        rf'<tr id="lot-([^"]+)">\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>{lot_number}<', stock
    )
    assert lot_id, stock
    recalled = await clinic.client.post(
        f"/stock/lots/{lot_id.group(1)}/recall", data={"csrf_token": token}
    )
    assert recalled.status_code == 200, recalled.text
    assert f"Lot {lot_number} recalled" in recalled.text
    return recalled.text


async def test_recalling_a_lot_names_the_patients_treated_with_it(clinic) -> None:
    page = await _recall_treated_lot(clinic, Role.ADMIN)

    assert "Amelia Hart" in page
    assert 'href="/patients/' in page


async def test_a_stock_manager_recalling_a_lot_sees_names_but_no_contact(clinic) -> None:
    scheduling = clinic.api("scheduling")
    [amelia] = (
        await scheduling.get("/v1/patients", params={"q": "Amelia"}, headers=bearer(Role.ADMIN))
    ).json()

    page = await _recall_treated_lot(clinic, Role.STOCK_MANAGER)

    assert "Amelia Hart" in page
    assert 'href="/patients/' not in page  # a patient's page is not stock work
    for contact in (amelia["phone"], amelia["email"]):
        assert not contact or contact not in page


async def test_a_practitioner_reads_the_stock_but_cannot_receive_a_delivery(clinic) -> None:
    token = await clinic.sign_in_as(Role.PRACTITIONER)

    page = await clinic.client.get("/stock")
    partial = await clinic.client.get("/stock/partial")
    refused = await clinic.client.post(
        "/stock/receipts", data=RECEIPT | {"quantity": "5", "csrf_token": token}
    )

    assert page.status_code == 200
    assert "Receive a delivery" not in page.text
    assert "Recall" not in partial.text
    assert on_hand(partial.text, "caffeine") > 0
    assert refused.status_code == 403


async def test_a_receptionist_cannot_open_stock(dashboard) -> None:
    await dashboard.sign_in_as(Role.RECEPTIONIST)

    assert (await dashboard.client.get("/stock")).status_code == 403


async def test_the_stock_page_lists_lots_past_one_page_of_the_inventory_api(clinic) -> None:
    inventory, auth = clinic.api("inventory"), bearer(Role.STOCK_MANAGER)
    for n in range(MAX_LIMIT + 1):
        receipt = RECEIPT | {"lot_number": f"BULK-{n:03d}", "quantity": 1}
        answer = await inventory.post("/v1/receipts", json=receipt, headers=auth)
        assert answer.status_code == 201, answer.text
    await clinic.sign_in_as(Role.STOCK_MANAGER)

    page = (await clinic.client.get("/stock/partial")).text

    listed = set(re.findall(r"BULK-\d{3}", page))
    assert len(listed) == MAX_LIMIT + 1


async def test_two_vials_against_a_safety_stock_say_so_though_no_stock_out_is_foreseen(
    clinic,
) -> None:
    await clinic.sign_in_as(Role.STOCK_MANAGER)
    inventory, staff = clinic.api("inventory"), bearer(Role.STOCK_MANAGER)
    [lot] = (await inventory.get("/v1/lots?product_code=glycolic-acid", headers=staff)).json()
    count = {"lot_id": lot["id"], "kind": "count_correction", "quantity": 2, "reason": "count"}
    assert (await inventory.post("/v1/adjustments", json=count, headers=staff)).status_code == 201

    page = (await clinic.client.get("/stock/partial")).text

    row = re.search(r'<tr id="product-glycolic-acid">.*?</tr>', page, re.S)
    assert row, page
    assert "not foreseen" not in row.group(0)  # no session uses it: no stock-out, yet too few
    assert "under the safety stock of 5 from" in row.group(0)
    assert "Reorder " in row.group(0)
