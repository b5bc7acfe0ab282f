"""Annotated dependencies for scheduling's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request

from clinic_shared.auth import Principal, Role, require_roles
from clinic_shared.deps import RuntimeDep, UowDep
from clinic_shared.runtime import ServiceRuntime
from scheduling.adapters.inventory_lots import InventoryLots
from scheduling.service_layer.context import Clinic, Scope
from scheduling.service_layer.outcomes import LotChecker
from scheduling.settings import SchedulingSettings


async def get_settings(runtime: RuntimeDep) -> SchedulingSettings:
    settings = runtime.settings
    assert isinstance(settings, SchedulingSettings)
    return settings


SettingsDep = Annotated[SchedulingSettings, Depends(get_settings)]


async def get_lot_checker(request: Request, settings: SettingsDep) -> LotChecker:
    """Inventory's lot check, asked with the caller's own token (as the patient export is)."""
    return InventoryLots(
        settings.inventory_url,
        timeout=settings.peer_timeout_seconds,
        authorization=request.headers.get("authorization", ""),
    )


LotCheckerDep = Annotated[LotChecker, Depends(get_lot_checker)]


@asynccontextmanager
async def open_scope(runtime: ServiceRuntime) -> AsyncIterator[Scope]:
    """A scope on a new unit of work; for a hot route that opens it itself (see `book`)."""
    settings = runtime.settings
    assert isinstance(settings, SchedulingSettings)
    async with runtime.uow() as uow:
        yield Scope(uow, Clinic(zone=settings.zone, now=runtime.clock(), horizon=settings.horizon))


async def get_scope(runtime: RuntimeDep) -> AsyncIterator[Scope]:
    # Its own unit of work rather than UowDep and SettingsDep: every dependency FastAPI
    # solves costs CPU on each request, and no route takes both a scope and a bare unit of work.
    async with open_scope(runtime) as scope:
        yield scope


ScopeDep = Annotated[Scope, Depends(get_scope, scope="function")]  # as UowDep
FrontDesk = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
Clinical = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.PRACTITIONER))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Staff = Annotated[Principal, Depends(require_roles(*Role))]
ClinicalStaff = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST, Role.PRACTITIONER))
]

__all__ = [
    "Admin",
    "Clinical",
    "ClinicalStaff",
    "FrontDesk",
    "LotCheckerDep",
    "RuntimeDep",
    "ScopeDep",
    "SettingsDep",
    "Staff",
    "UowDep",
]
