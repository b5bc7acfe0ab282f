"""Inventory's stock alerts in the page's language, worded from each alert's `facts` (its
English `message` is the fallback: a kind this dashboard does not know, or no facts)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from dashboard.i18n import _, ngettext, strftime

Alert = dict[str, Any]


def sentence_day(value: str) -> str:
    """`2030-03-11` as `Monday 11 March`: whole names, as a sentence reads them."""
    return strftime(date.fromisoformat(value), "%A %d %B")


def vials_of(count: int, product: str) -> str:
    return ngettext("%(num)s vial of %(product)s", "%(num)s vials of %(product)s", count) % {
        "num": count,
        "product": product,
    }


def _shortage(facts: dict[str, Any], product: str) -> str:
    sessions = facts["sessions"]
    if not sessions:
        return _("No booked session lacks %(product)s any more.") % {"product": product}
    return ngettext(
        "%(num)s session lacks %(vials)s, on %(day)s.",
        "%(num)s sessions lack %(vials)s in all, the first on %(day)s.",
        sessions,
    ) % {
        "num": sessions,
        "vials": vials_of(facts["vials"], product),
        "day": sentence_day(facts["first_session_on"]),
    }


def _expiry(facts: dict[str, Any], product: str) -> str:
    return " ".join(
        ngettext(
            "%(num)s unreserved vial of lot %(lot)s expires on %(day)s.",
            "%(num)s unreserved vials of lot %(lot)s expire on %(day)s.",
            lot["unreserved_vials"],
        )
        % {
            "num": lot["unreserved_vials"],
            "lot": lot["lot_number"],
            "day": sentence_day(lot["expires_on"]),
        }
        for lot in facts["lots"]
    )


def _reorder(facts: dict[str, Any], product: str) -> str:
    if facts["quantity"] is None:
        return _(
            "The stock now holds the safety stock over the lead time: no reorder is needed any "
            "more."
        )
    lead = facts["lead_time_days"]
    return _(
        "Reorder %(vials)s: the stock projected on %(day)s is %(projected)s (lead time "
        "%(lead)s), below the safety stock of %(safety)s."
    ) % {
        "vials": vials_of(facts["quantity"], product),
        "day": sentence_day(facts["projected_on"]),
        "projected": facts["projected"],
        "lead": ngettext("%(num)s day", "%(num)s days", lead) % {"num": lead},
        "safety": facts["safety_stock"],
    }


def _recalled_lot_used(facts: dict[str, Any], product: str) -> str:
    return _(
        "Critical: the session on %(day)s was recorded with lot %(lot)s of %(product)s, which is "
        "recalled. Follow this patient up with the recall (see the session's traceability)."
    ) % {"day": sentence_day(facts["session_on"]), "lot": facts["lot_number"], "product": product}


def _order_overdue(facts: dict[str, Any], product: str) -> str:
    lines = ", ".join(vials_of(line["due"], line["product_name"]) for line in facts["lines"])
    return _(
        "The order to %(supplier)s expected on %(day)s has not arrived: %(lines)s still due."
    ) % {
        "supplier": facts["supplier_name"],
        "day": sentence_day(facts["expected_on"]),
        "lines": lines,
    }


WORDING: dict[str, Callable[[dict[str, Any], str], str]] = {
    "shortage": _shortage,
    "expiry": _expiry,
    "reorder": _reorder,
    "recalled_lot_used": _recalled_lot_used,
    "order_overdue": _order_overdue,
}


def stock_alert_text(alert: Alert) -> str:
    """The alert's sentence in the page's language; inventory's English one when its kind or
    facts are not known here (an older inventory, or the rows behind its facts gone)."""
    facts = alert.get("facts")
    word = WORDING.get(alert.get("kind", ""))
    if word is None or not isinstance(facts, dict) or facts.get("kind") != alert["kind"]:
        return str(alert.get("message", ""))
    try:
        return word(facts, str(alert.get("product_name", "")))
    except (KeyError, TypeError, ValueError):
        return str(alert.get("message", ""))
