"""Suppliers and the terms on which each supplies a product: pure data and its rules."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from inventory.domain.errors import InvalidSupplier, PreferenceTaken


@dataclass(frozen=True)
class SupplyTerms:
    """What one supplier asks for one product: ordered in packs, at least `minimum_order`."""

    product_code: str
    lead_time_days: int
    pack_size: int
    minimum_order: int
    unit_price: Decimal | None = None
    preferred: bool = False


@dataclass(frozen=True)
class Supplier:
    id: uuid.UUID
    name: str
    email: str | None
    products: tuple[SupplyTerms, ...] = ()


def check_terms(
    terms: Sequence[SupplyTerms],
    known_products: set[str],
    preferred_elsewhere: Mapping[str, str],
) -> None:
    """Each known product once; a product is preferred from one supplier only.

    `preferred_elsewhere` maps a product code to the name of another supplier it is already
    preferred from. Every offending line is named (`body.products.<i>.<field>`).
    """
    problems, seen = [], set()
    for index, line in enumerate(terms):
        field = f"body.products.{index}"
        if line.product_code not in known_products:
            reason = f"unknown product {line.product_code!r}"
            problems.append({"field": f"{field}.product_code", "reason": reason})
        elif line.product_code in seen:
            problems.append({"field": f"{field}.product_code", "reason": "product listed twice"})
        seen.add(line.product_code)
    if problems:
        raise InvalidSupplier(problems)
    taken = [
        {
            "field": f"body.products.{index}.preferred",
            "reason": f"already preferred from {preferred_elsewhere[line.product_code]}",
        }
        for index, line in enumerate(terms)
        if line.preferred and line.product_code in preferred_elsewhere
    ]
    if taken:
        raise PreferenceTaken(taken)
