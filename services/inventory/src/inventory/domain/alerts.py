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


@dataclass(frozen=True)
class ShortSession:
    """What one session still lacks of a product, as it stands now."""

    session_id: uuid.UUID
    session_on: date
    quantity: int


@dataclass(frozen=True)
class AlertGroup:
    """Open alerts staff read and dismiss as one: a product's shortages, or one alert alone."""

    alerts: tuple[Alert, ...]

    @property
    def first(self) -> Alert:
        return self.alerts[0]

    @property
    def count(self) -> int:
        return len(self.alerts)


# A product's shortages, expiring lots or reorder suggestions are read and dismissed as one.
GROUPED_BY_PRODUCT = frozenset({"shortage", "expiry", "reorder"})


def group_key(alert: Alert) -> tuple[str, str]:
    """Alerts group by kind and product; a recalled lot used (a patient to follow up) and an
    overdue order (one order) stand alone."""
    if alert.kind in GROUPED_BY_PRODUCT:
        return (alert.kind, alert.product_code)
    return (alert.kind, alert.dedupe_key)


def group_alerts(alerts: list[Alert]) -> list[AlertGroup]:
    """The open alerts grouped (`group_key`), each group in order of its oldest alert."""
    groups: dict[tuple[str, str], list[Alert]] = {}
    for alert in sorted(alerts, key=lambda a: (a.created_at, str(a.id))):
        groups.setdefault(group_key(alert), []).append(alert)
    return [AlertGroup(tuple(members)) for members in groups.values()]


def shortage_text(product: str, short: list[ShortSession]) -> str:
    """What the sessions lack now of `product` (its name), the earliest named."""
    if not short:
        return f"No booked session lacks {product} any more."
    vials = sum(s.quantity for s in short)
    first = min(short, key=lambda s: (s.session_on, str(s.session_id)))
    if len(short) == 1:
        return f"Session on {first.session_on.isoformat()} lacks {vials} {product}."
    return (
        f"{len(short)} sessions lack {vials} {product} in all, the first on "
        f"{first.session_on.isoformat()}."
    )


def expiry_text(lot_number: str, free: int, expires_on: date) -> str:
    return f"{free} unreserved vials of lot {lot_number} expire on {expires_on.isoformat()}."


def reorder_text(product: str, quantity: int | None, reason: str | None) -> str:
    """The suggestion for `product` (its name) as the forecast makes it now (None: the stock
    now holds)."""
    if quantity is None:
        return (
            f"{product}: the stock now holds the safety stock over the lead time; "
            "no reorder is needed any more."
        )
    return f"Reorder {quantity} {product}: {reason}"


def overdue_key(order_id: uuid.UUID) -> str:
    """One alert per purchase order past its expected day, settled when it is received or
    cancelled."""
    return f"order_overdue:{order_id}"


def overdue_order_id(dedupe_key: str) -> uuid.UUID | None:
    """The order an overdue alert is about, read back from its key (`overdue_key`)."""
    kind, _, order_id = dedupe_key.partition(":")
    if kind != "order_overdue":
        return None
    try:
        return uuid.UUID(order_id)
    except ValueError:
        return None
