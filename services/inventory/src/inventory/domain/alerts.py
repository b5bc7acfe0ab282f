"""Alerts for the stock manager, each keyed by its subject and window so it is raised once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

AlertKind = Literal["shortage", "expiry", "reorder", "recalled_lot_used", "order_overdue"]
AlertStatus = Literal["open", "dismissed", "resolved"]
AlertSeverity = Literal["critical", "warning"]
# A patient treated with a recalled lot is missing from the recall's list of patients.
CRITICAL_KINDS = frozenset({"recalled_lot_used"})


@dataclass(frozen=True)
class Alert:
    id: uuid.UUID
    kind: AlertKind
    dedupe_key: str
    status: AlertStatus
    product_code: str
    lot_id: uuid.UUID | None
    session_id: uuid.UUID | None
    message: str
    created_at: datetime
    updated_at: datetime

    @property
    def severity(self) -> AlertSeverity:
        return "critical" if self.kind in CRITICAL_KINDS else "warning"


def shortage_key(session_id: uuid.UUID, product_code: str) -> str:
    return f"shortage:{session_id}:{product_code}"


def expiry_key(lot_id: uuid.UUID, window_ends_on: date) -> str:
    """One expiry alert per lot per scan window (the day the window ends)."""
    return f"expiry:{lot_id}:{window_ends_on.isoformat()}"


def reorder_key(product_code: str, stock_epoch: int) -> str:
    """One reorder alert per product until stock arrives (each receipt starts a new epoch)."""
    return f"reorder:{product_code}:{stock_epoch}"


def recalled_use_key(session_id: uuid.UUID, lot_id: uuid.UUID) -> str:
    """One alert per session and recalled lot, however often its completion is delivered."""
    return f"recalled_lot_used:{session_id}:{lot_id}"


def overdue_key(order_id: uuid.UUID) -> str:
    """One alert per purchase order past its expected day, settled when it is received or
    cancelled."""
    return f"order_overdue:{order_id}"
