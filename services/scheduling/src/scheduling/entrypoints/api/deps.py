"""Annotated dependencies for scheduling's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from clinic_shared.auth import Principal, Role, require_roles
from clinic_shared.deps import RuntimeDep
from scheduling.adapters.inventory_lots import InventoryLots
from scheduling.adapters.peers import PeerExports
from scheduling.service_layer.export import Peers
from scheduling.service_layer.outcomes import LotChecker
from scheduling.service_layer.scope import Scope, open_scope
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


async def get_peers(request: Request, settings: SettingsDep) -> Peers:
    """The other services' exports, asked with the caller's own token."""
    urls = {"inventory": settings.inventory_url, "notifications": settings.notifications_url}
    return PeerExports(
        urls,
        timeout=settings.peer_timeout_seconds,
        authorization=request.headers.get("authorization", ""),
    )


PeersDep = Annotated[Peers, Depends(get_peers)]


async def get_scope(runtime: RuntimeDep) -> AsyncIterator[Scope]:
    # Its own unit of work rather than UowDep and SettingsDep: every dependency FastAPI
    # solves costs CPU on each request. A hot route opens the scope itself (see `book`).
    async with open_scope(runtime) as scope:
        yield scope


# scope="function", as UowDep: the unit of work ends when the endpoint returns
ScopeDep = Annotated[Scope, Depends(get_scope, scope="function")]
FrontDesk = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
Clinical = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.PRACTITIONER))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Staff = Annotated[Principal, Depends(require_roles(*Role))]
ClinicalStaff = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST, Role.PRACTITIONER))
]
# A recall's patients: the stock manager who recalled the lot, the desk who calls them back.
RecallStaff = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST, Role.STOCK_MANAGER))
]

__all__ = [
    "Admin",
    "Clinical",
    "ClinicalStaff",
    "FrontDesk",
    "LotCheckerDep",
    "PeersDep",
    "RecallStaff",
    "RuntimeDep",
    "ScopeDep",
    "SettingsDep",
    "Staff",
    "open_scope",
]
