"""A recall's patients: the names of those treated with a recalled lot, for calling them back."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from scheduling.entrypoints.api.deps import LotCheckerDep, RecallStaff, ScopeDep
from scheduling.service_layer import recalls

router = APIRouter(prefix="/v1/recalls", tags=["traceability"])


class RecalledPatientPublic(BaseModel):
    """A patient as a recall names them: no phone, no email."""

    id: uuid.UUID
    first_name: str
    last_name: str


@router.get("/patients", response_model=list[RecalledPatientPublic])
async def recalled_patients(
    scope: ScopeDep,
    lots: LotCheckerDep,
    _: RecallStaff,
    product_code: Annotated[str, Query(min_length=1, max_length=50)],
    lot_number: Annotated[str, Query(min_length=1, max_length=64)],
) -> list[RecalledPatientPublic]:
    """The patients whose completed sessions used the lot, by name, once inventory says the
    lot is recalled: 409 for a lot that is not (a stock manager learns no other patient's name),
    503 when inventory cannot say."""
    found = await recalls.treated_with_recalled_lot(scope, product_code, lot_number, lots)
    return [RecalledPatientPublic.model_validate(p, from_attributes=True) for p in found]
