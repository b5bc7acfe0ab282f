"""Stock reports over clinic-local days `from` to `to`: vials per treatment, expiry waste."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from clinic_shared.fields import Day
from clinic_shared.report_range import check_report_range
from inventory.entrypoints.api.deps import ReportReader, ScopeDep, TodayDep

router = APIRouter(prefix="/v1/reports", tags=["reports"])
From = Annotated[Day, Query(alias="from", description="The first clinic-local day.")]
To = Annotated[Day, Query(description="The last clinic-local day (included).")]


class VialsPublic(BaseModel):
    treatment_code: str
    product_code: str
    product_name: str
    sessions: int = Field(description="Completed sessions of the treatment using the product.")
    planned: int = Field(description="Vials their kits planned, as prescriptions adjust them.")
    consumed: int = Field(description="Vials recorded as used in them.")


class ExpiryWastePublic(BaseModel):
    lot_id: uuid.UUID
    product_code: str
    product_name: str
    lot_number: str
    expires_on: date
    left_unused: int = Field(description="Vials still in the lot, expired.")
    disposed: int = Field(description="Vials disposed of from its expiry day on.")
    wasted: int


@router.get("/vials", response_model=list[VialsPublic])
async def vials(scope: ScopeDep, _: ReportReader, from_: From, to: To) -> list[VialsPublic]:
    """Per treatment and product, over the sessions completed in the span: the vials the kits
    planned against those used. Not per practitioner: inventory does not know who treats."""
    check_report_range(from_, to)
    return [VialsPublic.model_validate(r) for r in await scope.reports.vials(from_, to)]


@router.get("/expiry-waste", response_model=list[ExpiryWastePublic])
async def expiry_waste(
    scope: ScopeDep, today: TodayDep, _: ReportReader, from_: From, to: To
) -> list[ExpiryWastePublic]:
    """The lots that expired in the span (up to today) with vials unused: those left in them
    and those disposed of after expiry."""
    check_report_range(from_, to)
    rows = await scope.reports.expiry_waste(from_, to, today, scope.zone.key)
    return [
        ExpiryWastePublic.model_validate(r | {"wasted": r["left_unused"] + r["disposed"]})
        for r in rows
    ]
