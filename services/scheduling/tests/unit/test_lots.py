"""The lots named at completion: a refused line is named by its field, line and reason."""

from __future__ import annotations

import pytest

from clinic_shared.contracts.events import ProductUsed
from scheduling.domain.errors import UnusableLots
from scheduling.domain.lots import LotVerdict, refuse_unusable_lots

USED = [
    ProductUsed(product_code="caffeine", lot_number="CAF-1", quantity=1),
    ProductUsed(product_code="caffeine", lot_number="CAF-OLD", quantity=2),
    ProductUsed(product_code="glitter", lot_number="G-1", quantity=1),
]


def test_lots_inventory_accepts_are_not_refused() -> None:
    refuse_unusable_lots(USED, [LotVerdict(usable=True)] * 3)


def test_each_refused_line_names_its_field_and_why_and_nothing_else_is_named() -> None:
    verdicts = [
        LotVerdict(usable=True),
        LotVerdict(usable=False, reason="expired", detail="expired on 2030-03-02"),
        LotVerdict(usable=False, reason="unknown_product", detail="unknown product"),
    ]
    with pytest.raises(UnusableLots) as refused:
        refuse_unusable_lots(USED, verdicts)
    errors = refused.value.extensions["errors"]
    assert [(e["field"], e["reason"], e["refusal"]) for e in errors] == [
        ("body.products_used.1.lot_number", "expired on 2030-03-02", "expired"),
        ("body.products_used.2.product_code", "unknown product", "unknown_product"),
    ]
    assert refused.value.status == 422
    assert "CAF-OLD (caffeine): expired on 2030-03-02" in refused.value.detail
    assert "Nothing was recorded" in refused.value.detail
