"""Staff alerts from inventory's events and failed patient messages: one per kind, subject, day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from clinic_shared.contracts.events import LotExpiring, LotRecalled, ReorderSuggested, StockShortage
from clinic_shared.outbox import UnitOfWork
from clinic_shared.outbox.inbox import EventHandler
from notifications.adapters.alerts import AlertRepository


async def raise_alert(
    uow: UnitOfWork,
    kind: str,
    subject: str,
    details: dict[str, Any],
    *,
    zone: ZoneInfo,
    now: datetime,
) -> bool:
    """Raise the alert unless one of its kind and subject was raised this clinic-local day."""
    return await AlertRepository(uow.session).raise_once(
        kind=kind, subject=subject, day=now.astimezone(zone).date(), details=details, now=now
    )


async def on_reorder_suggested(event: ReorderSuggested, uow: UnitOfWork, *, zone: ZoneInfo) -> None:
    details = event.model_dump(mode="json")
    await raise_alert(
        uow, "reorder_suggested", event.product_code, details, zone=zone, now=uow.occurred_at
    )


async def on_lot_expiring(event: LotExpiring, uow: UnitOfWork, *, zone: ZoneInfo) -> None:
    details = event.model_dump(mode="json")
    await raise_alert(
        uow, "lot_expiring", event.product_code, details, zone=zone, now=uow.occurred_at
    )


async def on_lot_recalled(event: LotRecalled, uow: UnitOfWork, *, zone: ZoneInfo) -> None:
    details = {
        "product_code": event.product_code,
        "lot_number": event.lot_number,
        "patients": len(event.patient_ids),
        "booked_sessions": len(event.session_ids),
    }
    await raise_alert(
        uow, "lot_recalled", event.product_code, details, zone=zone, now=uow.occurred_at
    )


async def on_stock_shortage(event: StockShortage, uow: UnitOfWork, *, zone: ZoneInfo) -> None:
    for line in event.lines:
        details = {
            "product_code": line.product_code,
            "quantity_short": line.quantity_short,
            "session_starts_at": event.session_starts_at.isoformat(),
        }
        await raise_alert(
            uow, "stock_shortage", line.product_code, details, zone=zone, now=uow.occurred_at
        )


async def alert_failed_message(
    uow: UnitOfWork, message: Any, error: str | None, *, zone: ZoneInfo, now: datetime
) -> None:
    """Tell staff a patient message could not be delivered (they may call the patient)."""
    details = {
        "message_id": str(message.id),
        "patient_id": str(message.patient_id),
        "session_id": str(message.session_id) if message.session_id else None,
        "kind": message.kind,
        "channel": message.channel,
        "error": error or "",
    }
    await raise_alert(uow, "message_failed", str(message.id), details, zone=zone, now=now)


def inventory_handlers(zone: ZoneInfo) -> Mapping[str, EventHandler]:
    return {
        ReorderSuggested.TYPE: partial(on_reorder_suggested, zone=zone),
        LotExpiring.TYPE: partial(on_lot_expiring, zone=zone),
        LotRecalled.TYPE: partial(on_lot_recalled, zone=zone),
        StockShortage.TYPE: partial(on_stock_shortage, zone=zone),
    }
