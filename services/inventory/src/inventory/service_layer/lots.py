"""Lots as they stand, and whether lots named for a session may be used for it (scheduling asks
before it records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clinic_shared.paging import Page
from inventory.domain.lots import Lot, LotRefusal, LotStatus, refusal_for_session
from inventory.service_layer.catalogue import get_product
from inventory.service_layer.scope import Scope


@dataclass(frozen=True)
class NamedLot:
    product_code: str
    lot_number: str


@dataclass(frozen=True)
class CheckedLot:
    named: NamedLot
    lot: Lot | None
    refusal: LotRefusal | None


async def check_lots(scope: Scope, *, session_on: date, named: list[NamedLot]) -> list[CheckedLot]:
    """Each named lot, found in any case, with why it may not be used on `session_on`, if so."""
    products = await scope.products.codes()
    repo = scope.lots
    checked = []
    for line in named:
        known = line.product_code in products
        lot = await repo.by_number(line.product_code, line.lot_number) if known else None
        refusal = refusal_for_session(lot, product_known=known, session_on=session_on)
        checked.append(CheckedLot(line, lot, refusal))
    return checked


async def list_lots(
    scope: Scope,
    *,
    today: date,
    product_code: str | None,
    status: LotStatus | None,
    page: Page,
) -> list[Lot]:
    """Lots by product and expiry, of one product or one effective status when asked."""
    if product_code is not None:
        await get_product(scope, product_code, field="query.product_code")
    return await scope.lots.list(today=today, product_code=product_code, status=status, page=page)
