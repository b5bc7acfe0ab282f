"""Annotated dependencies for notifications' routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from clinic_shared.auth import Principal, Role, require_roles
from clinic_shared.deps import RuntimeDep, UowDep
from notifications.settings import NotificationsSettings


async def get_settings(runtime: RuntimeDep) -> NotificationsSettings:
    settings = runtime.settings
    assert isinstance(settings, NotificationsSettings)
    return settings


SettingsDep = Annotated[NotificationsSettings, Depends(get_settings)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
FrontDesk = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
Staff = Annotated[Principal, Depends(require_roles(*Role))]

__all__ = ["Admin", "FrontDesk", "SettingsDep", "Staff", "UowDep"]
