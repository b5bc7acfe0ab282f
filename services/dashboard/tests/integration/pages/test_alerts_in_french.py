"""Inventory's stock alerts read in French on a French page: worded by the dashboard from each
alert's facts, never inventory's English sentence. Over the real services, each kind raised as
inventory raises it."""

from __future__ import annotations

import html
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from clinic_shared.auth import Role
from clinic_shared.db import utcnow
from clinic_testing.helpers import bearer, eventually
from dashboard import i18n
from dashboard.alert_wording import sentence_day
from inventory.service_layer.alerting import alert_recalled_lot_used
from inventory.service_layer.ordering import alert_overdue_orders
from inventory.service_layer.scope import open_scope

from .conftest import Clinic
from .test_alerts import visible
from .test_french_pages import in_french

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]
STAFF = bearer(Role.STOCK_MANAGER)
KINDS = {"shortage", "expiry", "reorder", "recalled_lot_used", "order_overdue"}


def fr_day(value: str) -> str:
    """The day as the French page writes it (`vendredi 01 janvier`)."""
    token = i18n.current.set("fr")
    try:
        return sentence_day(value)
    finally:
        i18n.current.reset(token)


async def stock_alerts(clinic: Clinic) -> dict[str, dict[str, Any]]:
    answer = await clinic.api("inventory").get("/v1/alerts", headers=STAFF)
    assert answer.status_code == 200, answer.text
    return {a["kind"]: a for a in answer.json()}


async def recall_caffeine(clinic: Clinic) -> dict[str, Any]:
    """Every caffeine lot recalled: the sessions holding them are short, a reorder is due."""
    inventory = clinic.api("inventory")
    lots = (await inventory.get("/v1/lots?product_code=caffeine", headers=STAFF)).json()
    for lot in lots:
        answer = await inventory.post(f"/v1/lots/{lot['id']}/recall", headers=STAFF)
        assert answer.status_code == 200, answer.text
    return dict(lots[0])


async def record_recalled_lot_used(clinic: Clinic, session_id: str, lot_id: str) -> None:
    """A completion named a recalled lot (scheduling checks first: a race), as inventory
    records it."""
    async with open_scope(clinic.services["inventory"].state.runtime) as scope:
        booked = await scope.sessions.get(uuid.UUID(session_id))
        lot = await scope.lots.get(uuid.UUID(lot_id))
        assert booked is not None
        assert lot is not None
        await alert_recalled_lot_used(scope, booked, lot, utcnow())
        await scope.uow.commit()


async def an_overdue_order(clinic: Clinic) -> dict[str, Any]:
    """An order sent to Meso Pharma, found overdue the day after it was expected."""
    inventory = clinic.api("inventory")
    terms = {"lead_time_days": 5, "pack_size": 10, "minimum_order": 10, "preferred": False}
    supplier = {
        "name": "Meso Pharma",
        "email": None,
        "products": [terms | {"product_code": "glycolic-acid"}],
    }
    added = await inventory.post("/v1/suppliers", json=supplier, headers=STAFF)
    assert added.status_code == 201, added.text
    lines = [{"product_code": "glycolic-acid", "quantity": 40}]
    body = {"supplier_id": added.json()["id"], "lines": lines}
    draft = await inventory.post("/v1/purchase-orders", json=body, headers=STAFF)
    assert draft.status_code == 201, draft.text
    sent = await inventory.post(f"/v1/purchase-orders/{draft.json()['id']}/send", headers=STAFF)
    assert sent.status_code == 200, sent.text
    late = date.fromisoformat(sent.json()["expected_on"]) + timedelta(days=1)
    async with open_scope(clinic.services["inventory"].state.runtime) as scope:
        assert await alert_overdue_orders(scope, late, utcnow()) == 1
        await scope.uow.commit()
    return dict(sent.json())


async def test_each_kind_of_stock_alert_reads_in_french(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.STOCK_MANAGER)
    await in_french(clinic, csrf)
    lot = await recall_caffeine(clinic)
    raised = await eventually(
        lambda: stock_alerts(clinic), until=lambda a: {"shortage", "expiry", "reorder"} <= set(a)
    )
    await record_recalled_lot_used(clinic, raised["shortage"]["session_id"], lot["id"])
    order = await an_overdue_order(clinic)
    alerts = await stock_alerts(clinic)
    assert set(alerts) == KINDS

    page = html.unescape(visible((await clinic.client.get("/alerts/partial")).text))

    short = alerts["shortage"]["facts"]
    assert short["sessions"] > 1
    assert f"Pénurie · Caffeine 2.5% \N{MULTIPLICATION SIGN}{alerts['shortage']['count']}" in page
    assert (
        f"Il manque {short['vials']} flacons de Caffeine 2.5% en tout à {short['sessions']} "
        f"séances, la première le {fr_day(short['first_session_on'])}."
    ) in page
    [expiring] = alerts["expiry"]["facts"]["lots"]
    assert (
        f"{expiring['unreserved_vials']} flacons non réservés du lot {expiring['lot_number']} "
        f"expirent le {fr_day(expiring['expires_on'])}."
    ) in page
    reorder = alerts["reorder"]["facts"]
    assert (
        f"Recommander {reorder['quantity']} flacons de Caffeine 2.5% : le stock prévu le "
        f"{fr_day(reorder['projected_on'])} est de {reorder['projected']} (délai de livraison "
        f"{reorder['lead_time_days']} jours), sous le stock de sécurité de "
        f"{reorder['safety_stock']}."
    ) in page
    assert (
        f"Critique : la séance du {fr_day(alerts['recalled_lot_used']['facts']['session_on'])} a "
        f"été enregistrée avec le lot {lot['lot_number']} de Caffeine 2.5%, qui est rappelé."
    ) in page
    assert (
        f"La commande à Meso Pharma attendue le {fr_day(order['expected_on'])} n'est pas "
        "arrivée : reste à livrer 40 flacons de Glycolic acid 10%."
    ) in page
    english = [alert["message"] for alert in alerts.values() if alert["message"] in page]
    assert english == []
    for words in (" lack ", "unreserved", "Reorder", "Critical", "has not arrived", "still due"):
        assert words not in page, words
