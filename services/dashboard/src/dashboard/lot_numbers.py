"""A lot scanned or typed by its number at completion: inventory says which lot it is and
whether it may go into the patient on the session's day, and the page says why not."""

from __future__ import annotations

from datetime import date
from typing import Any

from dashboard.clients import Services
from dashboard.i18n import _
from dashboard.wording import day

CHECK_LINES = 50  # inventory's cap on the lines of one check


def refusal_reason(line: dict[str, Any], product: str, others: dict[str, str]) -> str:
    """Inventory's refusal of one checked lot in words: recalled, quarantined, expired, of
    another product (`others`: the products that do have a lot of that number), or unknown."""
    lot, reason = line["lot_number"], line.get("reason")
    if reason == "recalled":
        return _("Lot %(lot)s is recalled: it may not be used.") % {"lot": lot}
    if reason == "quarantined":
        return _("Lot %(lot)s is quarantined: it may not be used.") % {"lot": lot}
    if reason == "expired" and line.get("expires_on"):
        expiry = day(str(line["expires_on"]))
        return _("Lot %(lot)s expires on %(day)s, by the session's day.") % {
            "lot": lot,
            "day": expiry,
        }
    if reason == "expired":
        return _("Lot %(lot)s has expired.") % {"lot": lot}
    if others:
        names = ", ".join(sorted(others.values()))
        return _("Lot %(lot)s is %(other)s, not %(product)s.") % {
            "lot": lot,
            "other": names,
            "product": product,
        }
    return _("No lot %(lot)s of %(product)s is known. Check the number on the vial.") % {
        "lot": lot,
        "product": product,
    }


async def _check(services: Services, on: date, pairs: list[tuple[str, str]]) -> list[Any]:
    lines: list[Any] = []
    for start in range(0, len(pairs), CHECK_LINES):
        chunk = pairs[start : start + CHECK_LINES]
        body = {
            "session_on": on.isoformat(),
            "lines": [{"product_code": code, "lot_number": lot} for code, lot in chunk],
        }
        lines.extend((await services.inventory.post("/v1/lots/check", body))["lines"])
    return lines


async def _products_with_lot(
    services: Services, on: date, lot: str, names: dict[str, str]
) -> dict[str, str]:
    """The products (code -> name) that have a lot numbered `lot`: a wrong product's vial."""
    checked = await _check(services, on, [(code, lot) for code in names])
    return {c["product_code"]: names[c["product_code"]] for c in checked if c["lot_id"]}


async def resolve_typed(
    services: Services, on: date, typed: dict[str, str], names: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Each product's typed lot number (product code -> number) checked for the session's
    day `on`: the lot numbers as inventory knows them, and the reasons of those it refuses."""
    if not typed:
        return {}, {}
    checked = await _check(services, on, list(typed.items()))
    found, refused = {}, {}
    for line in checked:
        code = line["product_code"]
        if line["usable"]:
            found[code] = line["lot_number"]
            continue
        others = {}
        if line.get("reason") == "unknown_lot":
            elsewhere = {c: n for c, n in names.items() if c != code}
            others = await _products_with_lot(services, on, line["lot_number"], elsewhere)
        refused[code] = refusal_reason(line, names.get(code, code), others)
    return found, refused
