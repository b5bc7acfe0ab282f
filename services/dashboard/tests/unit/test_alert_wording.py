"""Stock alerts worded from their facts in the page's language, inventory's English message
when the dashboard cannot word them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dashboard import i18n
from dashboard.alert_wording import stock_alert_text


@pytest.fixture
def french() -> Iterator[None]:
    token = i18n.current.set("fr")
    yield
    i18n.current.reset(token)


def alert(kind: str, facts: dict[str, Any] | None, **over: Any) -> dict[str, Any]:
    base = {"kind": kind, "product_name": "Caffeine 2.5%", "message": "As inventory says it."}
    return base | {"facts": facts} | over


def shortage(sessions: int, vials: int) -> dict[str, Any]:
    first = "2026-12-08" if sessions else None
    facts = {"kind": "shortage", "sessions": sessions, "vials": vials, "first_session_on": first}
    return alert("shortage", facts)


def test_one_session_short_of_one_vial_is_singular_in_french(french: None) -> None:
    assert stock_alert_text(shortage(1, 1)) == (
        "Il manque 1 flacon de Caffeine 2.5% à 1 séance, le mardi 08 décembre."
    )
    assert stock_alert_text(shortage(0, 0)) == (
        "Plus aucune séance réservée ne manque de Caffeine 2.5%."
    )


def test_sessions_short_read_in_english_with_the_days_name() -> None:
    assert stock_alert_text(shortage(3, 4)) == (
        "3 sessions lack 4 vials of Caffeine 2.5% in all, the first on Tuesday 08 December."
    )


def test_a_lot_with_one_or_no_free_vial_is_singular_in_french(french: None) -> None:
    lots = [
        {"lot_number": "CAF-1", "unreserved_vials": 0, "expires_on": "2027-01-01"},
        {"lot_number": "CAF-2", "unreserved_vials": 1, "expires_on": "2027-01-02"},
    ]
    assert stock_alert_text(alert("expiry", {"kind": "expiry", "lots": lots})) == (
        "0 flacon non réservé du lot CAF-1 expire le vendredi 01 janvier. "
        "1 flacon non réservé du lot CAF-2 expire le samedi 02 janvier."
    )


def test_a_reorder_no_longer_needed_says_so_in_french(french: None) -> None:
    nothing = dict.fromkeys(
        ("quantity", "projected", "projected_on", "lead_time_days", "safety_stock")
    )
    assert stock_alert_text(alert("reorder", {"kind": "reorder", **nothing})) == (
        "Le stock couvre désormais le stock de sécurité sur le délai de livraison : plus "
        "besoin de recommander."
    )
    one = {
        "kind": "reorder",
        "quantity": 1,
        "projected": 0,
        "projected_on": "2026-12-08",
        "lead_time_days": 1,
        "safety_stock": 1,
    }
    assert stock_alert_text(alert("reorder", one)) == (
        "Recommander 1 flacon de Caffeine 2.5% : le stock prévu le mardi 08 décembre est de 0 "
        "(délai de livraison 1 jour), sous le stock de sécurité de 1."
    )


def test_an_overdue_order_names_each_line_still_due(french: None) -> None:
    lines = [
        {"product_code": "caffeine", "product_name": "Caffeine 2.5%", "due": 1},
        {"product_code": "lidocaine", "product_name": "Lidocaine 2%", "due": 10},
    ]
    facts = {
        "kind": "order_overdue",
        "order_id": "0",
        "supplier_name": "Meso Pharma",
        "expected_on": "2026-12-08",
        "lines": lines,
    }
    assert stock_alert_text(alert("order_overdue", facts)) == (
        "La commande à Meso Pharma attendue le mardi 08 décembre n'est pas arrivée : reste à "
        "livrer 1 flacon de Caffeine 2.5%, 10 flacons de Lidocaine 2%."
    )


@pytest.mark.parametrize(
    "unworded",
    [
        alert("lot_quarantined", {"kind": "lot_quarantined", "lots": []}),  # a kind unknown here
        alert("shortage", None),  # the rows behind the facts are gone
        alert("shortage", {"kind": "expiry", "lots": []}),  # facts of another kind
        alert("expiry", {"kind": "expiry"}),  # facts of another shape (another version)
    ],
)
def test_what_the_dashboard_cannot_word_is_inventorys_message(
    french: None, unworded: dict[str, Any]
) -> None:
    assert stock_alert_text(unworded) == "As inventory says it."
