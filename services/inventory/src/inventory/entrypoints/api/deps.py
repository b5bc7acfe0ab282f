"""Annotated dependencies for inventory's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request

from clinic_shared.auth import Principal, Role, require_roles
from clinic_shared.deps import RuntimeDep
from inventory.adapters.treatments import SchedulingTreatments
from inventory.service_layer.kit_changes import Treatments
from inventory.service_layer.scope import Scope, open_scope
from inventory.settings import InventorySettings


async def get_settings(runtime: RuntimeDep) -> InventorySettings:
    settings = runtime.settings
    assert isinstance(settings, InventorySettings)
    return settings


SettingsDep = Annotated[InventorySettings, Depends(get_settings)]


async def clinic_now(runtime: RuntimeDep) -> datetime:
    """The service's clock (tests move it)."""
    return runtime.clock()


NowDep = Annotated[datetime, Depends(clinic_now)]


async def clinic_today(now: NowDep, settings: SettingsDep) -> date:
    """Today's date in the clinic's time zone: expiry is counted in clinic calendar days."""
    return now.astimezone(settings.zone).date()


TodayDep = Annotated[date, Depends(clinic_today)]


async def get_treatments(request: Request, settings: SettingsDep) -> Treatments:
    """Scheduling's treatments, asked with the caller's own token."""
    return SchedulingTreatments(
        settings.scheduling_url,
        timeout=settings.peer_timeout_seconds,
        authorization=request.headers.get("authorization", ""),
    )


TreatmentsDep = Annotated[Treatments, Depends(get_treatments)]


async def get_scope(runtime: RuntimeDep) -> AsyncIterator[Scope]:
    async with open_scope(runtime) as scope:
        yield scope


ScopeDep = Annotated[Scope, Depends(get_scope, scope="function")]  # as UowDep
StockStaff = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.STOCK_MANAGER))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
# The reports: the clinic's admin, the front desk (the dashboard's Reports page), stock managers.
ReportReader = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST, Role.STOCK_MANAGER))
]
Reader = Annotated[Principal, Depends(require_roles(*Role))]

__all__ = [
    "Admin",
    "NowDep",
    "Reader",
    "ReportReader",
    "RuntimeDep",
    "ScopeDep",
    "SettingsDep",
    "StockStaff",
    "TodayDep",
    "TreatmentsDep",
]
