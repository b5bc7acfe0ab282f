"""Annotated dependencies for scheduling's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from clinic_shared.auth import Principal, Role, require_roles
from clinic_shared.deps import RuntimeDep, UowDep
from scheduling.settings import SchedulingSettings


def get_settings(runtime: RuntimeDep) -> SchedulingSettings:
    settings = runtime.settings
    assert isinstance(settings, SchedulingSettings)
    return settings


SettingsDep = Annotated[SchedulingSettings, Depends(get_settings)]
FrontDesk = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
ClinicalStaff = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST, Role.PRACTITIONER))
]

__all__ = ["ClinicalStaff", "FrontDesk", "SettingsDep", "UowDep"]
