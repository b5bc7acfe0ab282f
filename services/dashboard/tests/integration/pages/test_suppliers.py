"""Suppliers from the dashboard: the demo clinic's, added and edited by the stock manager;
proposing orders drafts for the preferred supplier and names a need that has none."""

from __future__ import annotations

import re
from typing import Any

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer, eventually

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]
STOCK = bearer(Role.STOCK_MANAGER)
MESO = "Méso Distribution France"


async def run_short_of_the_blend(clinic: Clinic) -> None:
    """Break every multivitamin vial of the demo once Amelia's booked course holds some: her
    sessions in the weeks ahead lack them."""
    inventory = clinic.api("inventory")
    lots = await eventually(
        lambda: inventory.get("/v1/lots?product_code=vitamin-blend", headers=STOCK),
        until=lambda r: r.json()[0]["available"] < r.json()[0]["on_hand"],
    )
    [lot] = lots.json()
    breakage = {
        "lot_id": lot["id"],
        "kind": "breakage",
        "quantity": lot["on_hand"],
        "reason": "dropped tray",
    }
    answer = await inventory.post("/v1/adjustments", json=breakage, headers=STOCK)
    assert answer.status_code == 201, answer.text


async def demo_supplier(clinic: Clinic, name: str) -> dict[str, Any]:
    listed = (await clinic.api("inventory").get("/v1/suppliers", headers=STOCK)).json()
    return next(s for s in listed if s["name"] == name)


async def test_proposing_on_the_demo_drafts_the_short_blend_for_its_preferred_supplier(
    clinic: Clinic,
) -> None:
    await run_short_of_the_blend(clinic)
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)

    answer = await clinic.client.post("/orders/proposals", data={"csrf_token": token})

    assert answer.status_code == 303
    page = (await clinic.client.get(answer.headers["location"])).text
    # The shortage alert may have proposed it first: then this proposal adds nothing.
    assert "1 draft proposed" in page or "Nothing to order" in page
    draft = re.search(rf"<h2[^>]*>{MESO} · .*?</section>", page, re.S)
    assert draft, page
    assert 'name="qty-vitamin-blend" type="number" min="0" value="20"' in draft.group(0)
    assert "no preferred supplier" not in page


async def test_a_need_with_no_preferred_supplier_is_named_after_proposing(
    clinic: Clinic,
) -> None:
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)
    meso = await demo_supplier(clinic, MESO)
    form = {"name": MESO, "email": meso["email"], "csrf_token": token}
    for line in meso["products"]:
        code = line["product_code"]
        form |= {f"supplies-{code}": "on", f"pack_size-{code}": str(line["pack_size"])}
        form |= {f"lead_time_days-{code}": str(line["lead_time_days"])}
        if code != "vitamin-blend":
            form[f"preferred-{code}"] = "on"

    edit = f"/suppliers/{meso['id']}"
    assert 'name="preferred-vitamin-blend" checked' in (await clinic.client.get(edit)).text

    saved = await clinic.client.post(edit, data=form)
    assert saved.status_code == 303, saved.text
    assert 'name="preferred-vitamin-blend" checked' not in (await clinic.client.get(edit)).text
    await run_short_of_the_blend(clinic)
    answer = await clinic.client.post("/orders/proposals", data={"csrf_token": token})

    page = (await clinic.client.get(answer.headers["location"])).text
    assert (
        "Nothing can be ordered for Multivitamin blend: it has no preferred supplier. "
        '<a href="/suppliers">Add one on the suppliers page.</a>'
    ) in page
    await clinic.client.post("/account/language", data={"language": "fr", "csrf_token": token})
    french = (await clinic.client.get(answer.headers["location"])).text
    assert "Rien ne peut être commandé pour Multivitamin blend" in french


async def test_a_supplier_added_from_the_page_is_listed(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)
    form = {
        "name": "Laboratoires Azur",
        "email": "orders@azur.example.com",
        "supplies-glycolic-acid": "on",
        "preferred-glycolic-acid": "on",
        "lead_time_days-glycolic-acid": "6",
        "pack_size-glycolic-acid": "5",
        "minimum_order-glycolic-acid": "10",
        "unit_price-glycolic-acid": "7,50",
        "csrf_token": token,
    }

    added = await clinic.client.post("/suppliers", data=form)

    assert added.status_code == 303, added.text
    page = (await clinic.client.get(added.headers["location"])).text
    assert "Supplier added" in page
    assert "Laboratoires Azur" in page
    assert "orders@azur.example.com" in page
    assert MESO in page
    azur = await demo_supplier(clinic, "Laboratoires Azur")
    [line] = azur["products"]
    assert (line["product_code"], line["pack_size"], line["preferred"]) == (
        "glycolic-acid",
        5,
        True,
    )
    assert float(line["unit_price"]) == 7.5


async def test_a_bad_email_and_pack_are_refused_beside_their_fields_keeping_what_was_typed(
    clinic: Clinic,
) -> None:
    token = await clinic.sign_in_as(Role.ADMIN)
    form = {
        "name": "Laboratoires Azur",
        "email": "orders at azur",
        "supplies-glycolic-acid": "on",
        "lead_time_days-glycolic-acid": "6",
        "pack_size-glycolic-acid": "0",
        "csrf_token": token,
    }

    refused = await clinic.client.post("/suppliers", data=form)

    assert refused.status_code == 422
    page = refused.text
    assert 'value="Laboratoires Azur"' in page
    assert 'value="orders at azur"' in page
    assert 'aria-invalid="true" aria-describedby="e-email"' in page
    assert (
        '<p class="error" id="e-email">Enter an email address such as orders@supplier.example.</p>'
    ) in page
    assert 'aria-describedby="e-pack_size-glycolic-acid"' in page
    assert "Laboratoires Azur" not in [
        s["name"]
        for s in (await clinic.api("inventory").get("/v1/suppliers", headers=STOCK)).json()
    ]


async def test_only_stock_staff_see_the_suppliers_page(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)
    assert (await clinic.client.get("/suppliers")).status_code == 403
