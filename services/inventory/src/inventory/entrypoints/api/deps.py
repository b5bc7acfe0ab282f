"""Annotated dependencies for inventory's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from clinic_shared.auth import Principal, Role, require_roles
from clinic_shared.deps import UowDep

StockStaff = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.STOCK_MANAGER))]

__all__ = ["StockStaff", "UowDep"]
