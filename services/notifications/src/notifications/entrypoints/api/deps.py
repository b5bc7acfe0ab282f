"""Annotated dependencies for notifications' routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends

from clinic_shared.auth import Principal, Role, require_roles
from clinic_shared.deps import RuntimeDep
from notifications.service_layer.scope import Scope, open_scope
from notifications.settings import NotificationsSettings


async def get_settings(runtime: RuntimeDep) -> NotificationsSettings:
    settings = runtime.settings
    assert isinstance(settings, NotificationsSettings)
    return settings


async def get_scope(runtime: RuntimeDep) -> AsyncIterator[Scope]:
    async with open_scope(runtime, now=runtime.clock()) as scope:
        yield scope


SettingsDep = Annotated[NotificationsSettings, Depends(get_settings)]
# scope="function": the unit of work ends (rolls back what was not committed, gives its
# connection back) when the endpoint returns, not after the answer has been sent
ScopeDep = Annotated[Scope, Depends(get_scope, scope="function")]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
FrontDesk = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
Staff = Annotated[Principal, Depends(require_roles(*Role))]
# Messages are to patients: a stock manager has no work with them and sees none (issue 28).
ClinicalStaff = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST, Role.PRACTITIONER))
]

__all__ = ["Admin", "ClinicalStaff", "FrontDesk", "ScopeDep", "SettingsDep", "Staff"]
