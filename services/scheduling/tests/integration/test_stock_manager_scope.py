"""A stock manager reads no patient, and learns names only from a recall: never a contact."""

from __future__ import annotations

from datetime import datetime, time

from .conftest import ADMIN, DESK, MONDAY, PARIS, Clinic, bearer, local

STOCK = bearer("stock_manager")
RECALL = "/v1/recalls/patients"


async def _treated_with(clinic: Clinic, lot_number: str) -> None:
    """The clinic's patient's session, completed with caffeine lot `lot_number`."""
    session = await clinic.book_ok(await clinic.course(sessions_planned=1), local(MONDAY))
    clinic.travel_to(datetime.combine(MONDAY, time(10, 20), tzinfo=PARIS))
    used = [{"product_code": "caffeine", "lot_number": lot_number, "quantity": 1}]
    done = await clinic.post(
        f"/v1/sessions/{session['id']}/complete", {"products_used": used}, clinic.doctor
    )
    assert done.status_code == 200, done.text


async def test_a_stock_manager_cannot_read_a_patient_or_their_contacts(clinic: Clinic) -> None:
    read = await clinic.client.get(f"/v1/patients/{clinic.patient}", headers=STOCK)
    listed = await clinic.client.get("/v1/patients", headers=STOCK)

    assert read.status_code == 403
    assert read.headers["content-type"] == "application/problem+json"
    assert "+447911123456" not in read.text
    assert listed.status_code == 403


async def test_a_recall_names_the_patients_treated_with_the_lot_without_contacts(
    clinic: Clinic,
) -> None:
    await _treated_with(clinic, "caf-7 ")
    await clinic.new_patient("Zoe")  # not treated with it
    clinic.inventory.refuse("caffeine", "CAF-7", "recalled", "recalled")
    asked = {"product_code": "caffeine", "lot_number": "CAF-7"}

    named = await clinic.client.get(RECALL, params=asked, headers=STOCK)
    by_desk = await clinic.client.get(RECALL, params=asked, headers=DESK)
    by_practitioner = await clinic.client.get(RECALL, params=asked, headers=clinic.doctor)

    assert named.status_code == 200, named.text
    assert named.json() == [{"id": clinic.patient, "first_name": "Amelia", "last_name": "Hart"}]
    assert by_desk.json() == named.json()
    assert by_practitioner.status_code == 403
    assert clinic.inventory.asked[1]["lines"] == [asked]
    assert clinic.inventory.asked[1]["authorization"] == STOCK["Authorization"]


async def test_a_lot_that_is_not_recalled_names_no_one(clinic: Clinic) -> None:
    await _treated_with(clinic, "CAF-7")
    clinic.inventory.refuse("caffeine", "CAF-8", "expired", "expired on 2030-03-01")
    usable = {"product_code": "caffeine", "lot_number": "CAF-7"}
    expired = {"product_code": "caffeine", "lot_number": "CAF-8"}

    for params in (usable, expired):
        refused = await clinic.client.get(RECALL, params=params, headers=STOCK)
        assert refused.status_code == 409, refused.text
        assert refused.json()["errors"][0]["field"] == "query.lot_number"
        assert "Amelia" not in refused.text


async def test_a_recall_names_no_one_when_inventory_cannot_say(clinic: Clinic) -> None:
    await _treated_with(clinic, "CAF-7")
    clinic.inventory.status = 500

    asked = await clinic.client.get(
        RECALL, params={"product_code": "caffeine", "lot_number": "CAF-7"}, headers=ADMIN
    )

    assert asked.status_code == 503
    assert "Amelia" not in asked.text
