"""Who to call back when a lot is recalled: the only way a stock manager learns a patient's name."""

from __future__ import annotations

from clinic_shared.contracts.events import ProductUsed
from scheduling.domain.errors import NotRecalled
from scheduling.domain.lots import lot_key
from scheduling.domain.patients import PatientName
from scheduling.domain.rules import local_day
from scheduling.service_layer.outcomes import LotChecker
from scheduling.service_layer.scope import Scope


async def treated_with_recalled_lot(
    scope: Scope, product_code: str, lot_number: str, lots: LotChecker
) -> list[PatientName]:
    """The names of the patients whose completed sessions used the lot, once inventory says
    the lot is recalled (NotRecalled otherwise, naming no one); no contact details."""
    asked = [ProductUsed(product_code=product_code, lot_number=lot_number, quantity=1)]
    today = local_day(scope.clinic.now, scope.clinic.zone)
    (verdict,) = await lots.check(today, asked)
    if verdict.reason != "recalled":
        raise NotRecalled(product_code, lot_number)
    return await scope.patients.treated_with_lot(product_code, lot_key(lot_number))
