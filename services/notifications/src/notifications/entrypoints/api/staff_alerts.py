"""What staff were (or will be) told: stock alerts, reschedule requests, failed messages."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from clinic_shared.auth import Principal, Role, require_roles
from clinic_shared.paging import Page, paged
from notifications.entrypoints.api.deps import ScopeDep, Staff
from notifications.service_layer.alerts import dismiss_alerts, find_alerts, open_alert_groups

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


class StaffAlertGroup(StaffAlertPublic):
    """The newest open alert of a kind and subject, standing for all of them."""

    count: int = Field(description="How many open alerts of this kind and subject.")
    first_day: date = Field(description="The day of the oldest of them.")


@router.get("/groups", response_model=list[StaffAlertGroup])
async def list_open_groups(
    scope: ScopeDep, who: Staff, page: Annotated[Page, paged(100)]
) -> list[StaffAlertGroup]:
    """The alerts no one has dismissed, one per kind and subject with a count, newest first.
    A stock manager gets those about stock only."""
    rows = await open_alert_groups(scope, limit=page.limit, offset=page.offset, who=who)
    return [StaffAlertGroup.model_validate(dict(row._mapping)) for row in rows]


class DismissalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=32)
    subject: str = Field(min_length=1, max_length=100)


class DismissalPublic(BaseModel):
    kind: str
    subject: str
    dismissed: int = Field(description="How many alerts this call dismissed (0: already were).")


# The desk and stock deal with alerts; a practitioner reads them (issue 23).
Dismisser = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST, Role.STOCK_MANAGER))
]


@router.post("/dismissals", response_model=DismissalPublic)
async def dismiss(body: DismissalCreate, scope: ScopeDep, who: Dismisser) -> DismissalPublic:
    """Dismiss every open alert of a kind and subject at once (a group of `/groups`). Two staff
    dismissing at once both succeed; each alert is dismissed once, by the first."""
    dismissed = await dismiss_alerts(scope, kind=body.kind, subject=body.subject, who=who)
    await scope.uow.commit()
    return DismissalPublic(kind=body.kind, subject=body.subject, dismissed=dismissed)
