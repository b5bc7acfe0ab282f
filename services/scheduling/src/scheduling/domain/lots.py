"""The lots a practitioner names at completion: inventory says whether each may be used."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clinic_shared.contracts.events import ProductUsed
from scheduling.domain.errors import UnusableLots


@dataclass(frozen=True)
class LotVerdict:
    """Inventory's answer for one named lot: `reason` is its code (`recalled`, `expired`,
    `unknown_lot`, `unknown_product`, ...), `detail` the same in words."""

    usable: bool
    reason: str | None = None
    detail: str | None = None


def lot_key(lot_number: str) -> str:
    """What a lot number is compared by, as inventory compares it: suppliers print one lot in
    any case, with stray spaces, so "b-2403 " and "B-2403" are one lot."""
    return lot_number.strip().lower()


def refuse_unusable_lots(used: Sequence[ProductUsed], verdicts: Sequence[LotVerdict]) -> None:
    """Raise UnusableLots naming each line (its field and why) inventory said may not be used."""
    errors: list[dict[str, object]] = []
    for line, (product, verdict) in enumerate(zip(used, verdicts, strict=True)):
        if verdict.usable:
            continue
        field = "product_code" if verdict.reason == "unknown_product" else "lot_number"
        errors.append(
            {
                "field": f"body.products_used.{line}.{field}",
                "reason": verdict.detail or verdict.reason or "may not be used",
                "refusal": verdict.reason,
                "line": line,
                "product_code": product.product_code,
                "lot_number": product.lot_number,
            }
        )
    if errors:
        raise UnusableLots(errors)
