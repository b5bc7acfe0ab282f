"""What staff were (or will be) told: stock alerts, reschedule requests, failed messages."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from clinic_shared.paging import Page, paged
from notifications.entrypoints.api.deps import ScopeDep, Staff
from notifications.service_layer.alerts import find_alerts

StaffAlertStatus = Literal["pending", "sent", "failed", "no_recipients"]
router = APIRouter(prefix="/v1/staff-alerts", tags=["staff alerts"])


class StaffAlertPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    subject: str
    day: date
    details: dict[str, Any]
    status: StaffAlertStatus = Field(
        description="`no_recipients`: not emailed, as no recipient is configured "
        "(`NOTIFICATIONS_STAFF_ALERT_RECIPIENTS`)."
    )
    created_at: datetime
    sent_at: datetime | None


@router.get("", response_model=list[StaffAlertPublic])
async def list_staff_alerts(
    scope: ScopeDep,
    who: Staff,
    page: Annotated[Page, paged(100)],
    kind: str | None = None,
    status: StaffAlertStatus | None = None,
) -> list[StaffAlertPublic]:
    """Newest first. A stock manager gets those about stock only: the others name patients. A
    practitioner gets, of those naming patients, the ones naming a patient they treat."""
    given = {"kind": kind, "status": status}
    filters = {k: v for k, v in given.items() if v is not None}
    rows = await find_alerts(scope, who=who, filters=filters, limit=page.limit, offset=page.offset)
    return [StaffAlertPublic.model_validate(row) for row in rows]
