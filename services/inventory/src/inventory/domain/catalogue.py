"""The products the clinic stocks and the kit each treatment uses: pure data and its rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from inventory.domain.errors import InvalidKit


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    unit: str
    volume_ml: float
    lead_time_days: int
    safety_stock: int
    review_period_days: int
    reorder_quantity: int | None = None
    cover_days: int = 7  # days of demand a purchase order covers past the supplier's lead time


@dataclass(frozen=True)
class KitLine:
    product_code: str
    quantity: int


def adjusted_kit(kit: Sequence[KitLine], adjustments: Mapping[str, int]) -> list[KitLine]:
    """The kit as a course's prescription changes it: a product adjusted is used in that many
    vials (0: left out), one the kit lacks is added; in product order, the lock order."""
    quantities = {line.product_code: line.quantity for line in kit} | dict(adjustments)
    return [KitLine(code, n) for code, n in sorted(quantities.items()) if n > 0]


PRODUCTS = (
    Product("caffeine", "Caffeine 2.5%", "vial", 5.0, 7, 20, 14),
    Product("l-carnitine", "L-carnitine 10%", "vial", 5.0, 10, 20, 14),
    Product("artichoke", "Artichoke extract", "vial", 5.0, 14, 10, 21),
    Product("vitamin-blend", "Multivitamin blend", "vial", 5.0, 7, 15, 14),
    Product("glycolic-acid", "Glycolic acid 10%", "vial", 2.0, 21, 5, 28),
    Product("lidocaine", "Lidocaine 2%", "vial", 2.0, 5, 10, 14),
)

# A larger area uses more product: thighs take the most, inner arms the least.
KITS: dict[str, tuple[KitLine, ...]] = {
    "cellulite-thighs": (
        KitLine("caffeine", 2),
        KitLine("l-carnitine", 2),
        KitLine("artichoke", 1),
        KitLine("vitamin-blend", 1),
        KitLine("lidocaine", 1),
    ),
    "cellulite-buttocks": (
        KitLine("caffeine", 2),
        KitLine("l-carnitine", 1),
        KitLine("artichoke", 1),
        KitLine("vitamin-blend", 1),
        KitLine("lidocaine", 1),
    ),
    "cellulite-abdomen": (
        KitLine("caffeine", 1),
        KitLine("l-carnitine", 1),
        KitLine("artichoke", 1),
        KitLine("vitamin-blend", 1),
    ),
    "cellulite-calves": (
        KitLine("caffeine", 1),
        KitLine("l-carnitine", 1),
        KitLine("vitamin-blend", 1),
    ),
    "cellulite-arms": (KitLine("caffeine", 1), KitLine("vitamin-blend", 1)),
}
KITS["cellulite-thighs-intensive"] = KITS["cellulite-thighs"]  # same area, tighter spacing


def check_kit_lines(lines: list[KitLine], known_products: set[str]) -> None:
    """A kit names each known product once; Unprocessable names every offending line."""
    problems = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        field = f"body.items.{index}.product_code"
        if line.product_code not in known_products:
            problems.append({"field": field, "reason": f"unknown product {line.product_code!r}"})
        elif line.product_code in seen:
            problems.append({"field": field, "reason": "product listed twice"})
        seen.add(line.product_code)
    if problems:
        raise InvalidKit(problems)
