"""Annotated dependencies for scheduling's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends

from clinic_shared.auth import Principal, Role, require_roles
from clinic_shared.deps import RuntimeDep, UowDep
from scheduling.service_layer.context import Clinic, Scope
from scheduling.settings import SchedulingSettings


async def get_settings(runtime: RuntimeDep) -> SchedulingSettings:
    settings = runtime.settings
    assert isinstance(settings, SchedulingSettings)
    return settings


SettingsDep = Annotated[SchedulingSettings, Depends(get_settings)]


async def get_scope(
    uow: UowDep, settings: SettingsDep, runtime: RuntimeDep
) -> AsyncIterator[Scope]:
    yield Scope(uow, Clinic(zone=settings.zone, now=runtime.clock()))


ScopeDep = Annotated[Scope, Depends(get_scope)]
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
    "ScopeDep",
    "SettingsDep",
    "Staff",
    "UowDep",
]
