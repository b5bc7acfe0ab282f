"""Staff alerts from inventory's events and failed patient messages: one per kind, subject, day."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clinic_shared.auth import Principal, Role
from clinic_shared.contracts.events import LotExpiring, LotRecalled, ReorderSuggested, StockShortage
from clinic_shared.errors import Forbidden
from notifications.service_layer.access import treated_by
from notifications.service_layer.scope import Scope


async def raise_alert(scope: Scope, kind: str, subject: str, details: dict[str, Any]) -> bool:
    """Raise the alert unless one of its kind and subject was raised this clinic-local day."""
    now = scope.now
    return await scope.alerts.raise_once(
        kind=kind, subject=subject, day=now.astimezone(scope.zone).date(), details=details, now=now
    )


async def on_reorder_suggested(event: ReorderSuggested, scope: Scope) -> None:
    details = event.model_dump(mode="json")
    await raise_alert(scope, "reorder_suggested", event.product_code, details)


async def on_lot_expiring(event: LotExpiring, scope: Scope) -> None:
    details = event.model_dump(mode="json")
    await raise_alert(scope, "lot_expiring", event.product_code, details)


async def on_lot_recalled(event: LotRecalled, scope: Scope) -> None:
    details = {
        "product_code": event.product_code,
        "lot_number": event.lot_number,
        "patients": len(event.patient_ids),
        "booked_sessions": len(event.session_ids),
    }
    await raise_alert(scope, "lot_recalled", event.product_code, details)


async def on_stock_shortage(event: StockShortage, scope: Scope) -> None:
    for line in event.lines:
        details = {
            "product_code": line.product_code,
            "quantity_short": line.quantity_short,
            "session_starts_at": event.session_starts_at.isoformat(),
        }
        await raise_alert(scope, "stock_shortage", line.product_code, details)


async def alert_failed_message(scope: Scope, message: Any, error: str | None) -> None:
    """Tell staff a patient message could not be delivered (they may call the patient)."""
    details = {
        "message_id": str(message.id),
        "patient_id": str(message.patient_id),
        "session_id": str(message.session_id) if message.session_id else None,
        "kind": message.kind,
        "channel": message.channel,
        "error": error or "",
    }
    await raise_alert(scope, "message_failed", str(message.id), details)


STOCK_KINDS = frozenset(
    {
        "reorder_suggested",
        "lot_expiring",
        "lot_recalled",
        "stock_shortage",
        "supplier_order_failed",
        "supplier_order_cancelled",
    }
)
"""The alerts about stock and its orders alone: the stock manager's work. The others name
patients (a failed message's, the possible senders of an unmatched reply with their first
names, a reschedule request's)."""


async def find_alerts(
    scope: Scope, *, who: Principal, filters: dict[str, Any], limit: int, offset: int
) -> Sequence[Any]:
    """Staff alerts matching `filters` (column to value), newest first. A stock manager is
    shown those about stock only (nothing about patients); a practitioner, of those naming
    patients, those naming one patient they treat."""
    kinds = STOCK_KINDS if who.role is Role.STOCK_MANAGER else None
    return await scope.alerts.find(
        filters=filters, limit=limit, offset=offset, kinds=kinds, treated_by=treated_by(who)
    )


async def open_alert_groups(
    scope: Scope, *, limit: int, offset: int, who: Principal
) -> Sequence[Any]:
    """The alerts no one dismissed, grouped by kind and subject with counts, narrowed as
    `find_alerts` narrows them."""
    kinds = STOCK_KINDS if who.role is Role.STOCK_MANAGER else None
    return await scope.alerts.open_groups(
        limit=limit, offset=offset, kinds=kinds, treated_by=treated_by(who)
    )


async def dismiss_alerts(scope: Scope, *, kind: str, subject: str, who: Principal) -> int:
    """Dismiss every open alert of the kind and subject at once; how many this call dismissed
    (0 when another staff member was first). A stock manager dismisses stock alerts only."""
    if who.role is Role.STOCK_MANAGER and kind not in STOCK_KINDS:
        problem = [{"field": "body.kind", "reason": "not an alert about stock"}]
        raise Forbidden("A stock manager dismisses alerts about stock only.", errors=problem)
    return await scope.alerts.dismiss(kind=kind, subject=subject, by=who.subject, now=scope.now)
