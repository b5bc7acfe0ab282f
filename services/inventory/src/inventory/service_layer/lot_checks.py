"""Whether lots named for a session may be used for it: scheduling asks before it records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clinic_shared.outbox import UnitOfWork
from inventory.adapters.catalogue_repository import ProductRepository
from inventory.adapters.lot_repository import LotRepository
from inventory.domain.lots import Lot, LotRefusal, refusal_for_session


@dataclass(frozen=True)
class NamedLot:
    product_code: str
    lot_number: str


@dataclass(frozen=True)
class CheckedLot:
    named: NamedLot
    lot: Lot | None
    refusal: LotRefusal | None


async def check_lots(
    uow: UnitOfWork, *, session_on: date, named: list[NamedLot]
) -> list[CheckedLot]:
    """Each named lot, found in any case, with why it may not be used on `session_on`, if so."""
    products = await ProductRepository(uow.session).codes()
    repo = LotRepository(uow.session)
    checked = []
    for line in named:
        known = line.product_code in products
        lot = await repo.by_number(line.product_code, line.lot_number) if known else None
        refusal = refusal_for_session(lot, product_known=known, session_on=session_on)
        checked.append(CheckedLot(line, lot, refusal))
    return checked
