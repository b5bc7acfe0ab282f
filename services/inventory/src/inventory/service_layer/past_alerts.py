"""The facts of alerts about the past (a recalled lot used, an order overdue), read when the
alert is read from the rows it names: its lot and session, or its order."""

from __future__ import annotations

from inventory.domain.alert_facts import DueLine, OrderOverdueFacts, RecalledLotUsedFacts
from inventory.domain.alerts import Alert, overdue_order_id
from inventory.service_layer.scope import Scope


async def recalled_lot_used_facts(scope: Scope, alert: Alert) -> RecalledLotUsedFacts | None:
    """The session's day and the recalled lot's number; None when either row is gone."""
    lot = await scope.lots.get(alert.lot_id) if alert.lot_id else None
    booked = await scope.sessions.get(alert.session_id) if alert.session_id else None
    if lot is None or booked is None:
        return None
    return RecalledLotUsedFacts(session_on=booked.session_on, lot_number=lot.lot_number)


async def order_overdue_facts(
    scope: Scope, alert: Alert, names: dict[str, str]
) -> OrderOverdueFacts | None:
    """The order's supplier, expected day and lines still due, as the order stands now; None
    when the order, its supplier or its expected day is gone."""
    order_id = overdue_order_id(alert.dedupe_key)
    order = await scope.orders.get(order_id) if order_id else None
    supplier = await scope.suppliers.get(order.supplier_id) if order else None
    if order is None or supplier is None or order.expected_on is None:
        return None
    lines = tuple(
        DueLine(line.product_code, names.get(line.product_code, line.product_code), line.due)
        for line in order.lines
        if line.due
    )
    return OrderOverdueFacts(order.id, supplier.name, order.expected_on, lines)
