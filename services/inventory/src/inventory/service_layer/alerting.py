"""Raising and settling alerts; each is stored once per subject and window."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from clinic_shared.errors import NotFound
from inventory.domain.alert_facts import (
    AlertFacts,
    ExpiringLot,
    ExpiryFacts,
    ReorderFacts,
    ShortageFacts,
)
from inventory.domain.alerts import (
    Alert,
    AlertGroup,
    ShortSession,
    expiry_text,
    group_alerts,
    group_key,
    recalled_use_key,
    reorder_text,
    shortage_key,
    shortage_text,
)
from inventory.domain.forecast import ReorderSuggestion
from inventory.domain.lots import Lot
from inventory.domain.sessions import BookedSession
from inventory.service_layer.forecasting import outlooks
from inventory.service_layer.past_alerts import order_overdue_facts, recalled_lot_used_facts
from inventory.service_layer.scope import Scope

log = logging.getLogger(__name__)


async def sync_shortage_alerts(
    scope: Scope, booked: BookedSession, short: dict[str, int], now: datetime
) -> None:
    """One open alert per product the session lacks; the others settled."""
    repo = scope.alerts
    names = await product_names(scope)
    for product_code, quantity in short.items():
        key = shortage_key(booked.session_id, product_code)
        message = shortage_text(
            names.get(product_code, product_code),
            [ShortSession(booked.session_id, booked.session_on, quantity)],
        )
        if not await repo.raise_once(
            "shortage",
            key,
            product_code=product_code,
            message=message,
            now=now,
            session_id=booked.session_id,
        ):
            await repo.reopen(key, now)
    prefix = f"shortage:{booked.session_id}:"
    settled = [k for k in await repo.open_keys(prefix) if k.removeprefix(prefix) not in short]
    await repo.resolve(settled, now)


async def alert_recalled_lot_used(
    scope: Scope, booked: BookedSession, lot: Lot, now: datetime
) -> None:
    """A completed session names a recalled lot (scheduling checks first, so this is a race or a
    bug): a critical alert, as the recall's list of patients treated does not hold this one."""
    log.error(
        "completed session recorded with a recalled lot",
        extra={"session_id": str(booked.session_id), "lot_id": str(lot.id)},
    )
    product = await scope.products.get(lot.product_code)
    name = product.name if product else lot.product_code
    message = (
        f"Critical: the session on {booked.session_on.isoformat()} was recorded with lot "
        f"{lot.lot_number} of {name}, which is recalled. Follow this patient up with "
        "the recall (see the session's traceability)."
    )
    await scope.alerts.raise_once(
        "recalled_lot_used",
        recalled_use_key(booked.session_id, lot.id),
        product_code=lot.product_code,
        message=message,
        now=now,
        lot_id=lot.id,
        session_id=booked.session_id,
    )


async def settle_reorder_alerts(scope: Scope, product_code: str, now: datetime) -> None:
    """Stock arrived: the product's open reorder suggestion is settled (the scan may raise anew)."""
    repo = scope.alerts
    await repo.resolve(await repo.open_keys(f"reorder:{product_code}:"), now)


@dataclass(frozen=True)
class AlertNow:
    """A group of open alerts (`domain.alerts.group_alerts`), its text and the facts the text
    says, computed now (None: the rows they come from are gone)."""

    group: AlertGroup
    message: str
    session_ids: list[uuid.UUID]
    product_name: str
    facts: AlertFacts | None


async def product_names(scope: Scope) -> dict[str, str]:
    """Each product's name by its code: alerts name products, never codes."""
    return {p.code: p.name for p in await scope.products.list()}


async def dismiss_alert(scope: Scope, alert_id: uuid.UUID, now: datetime, today: date) -> AlertNow:
    """Dismiss the alert and the open alerts grouped with it (its kind and product). Two staff
    dismissing at once each get the group back; each alert is dismissed once (the update keeps
    to open alerts, and the second waits on the first's row locks, then finds none open)."""
    repo = scope.alerts
    alert = await repo.get(alert_id)
    if alert is None:
        unknown = [{"field": "path.alert_id", "reason": "unknown alert"}]
        raise NotFound(f"No alert {alert_id}.", errors=unknown)
    key = group_key(alert)
    members = [a for a in await repo.list_open() if group_key(a) == key and a.id != alert.id]
    [group] = group_alerts([alert, *members])
    await repo.dismiss([a.id for a in group.alerts], now)
    [read] = await _read(scope, [group], today)
    dismissed = tuple(
        replace(a, status="dismissed") if a.status == "open" else a for a in group.alerts
    )
    return replace(read, group=AlertGroup(dismissed))


async def open_alerts(scope: Scope, today: date) -> list[AlertNow]:
    """Open alerts grouped, oldest first, their texts from the stock as it is now."""
    return await _read(scope, group_alerts(await scope.alerts.list_open()), today)


async def _read(scope: Scope, groups: list[AlertGroup], today: date) -> list[AlertNow]:
    alerts = [a for g in groups for a in g.alerts]
    pairs = [(a.session_id, a.product_code) for a in alerts if a.kind == "shortage"]
    short = await scope.sessions.short_sessions([(s, p) for s, p in pairs if s is not None])
    reorders = await _suggestions(
        scope, {a.product_code for a in alerts if a.kind == "reorder"}, today
    )
    names = await product_names(scope) if groups else {}
    read = []
    for group in groups:
        first = group.first
        name = names.get(first.product_code, first.product_code)
        if first.kind == "shortage":
            read.append(_shortages(group, short, name))
            continue
        facts: AlertFacts | None
        if first.kind == "expiry":
            message, facts = await _expiries(scope, group.alerts)
        elif first.kind == "reorder":
            message, facts = _reorder(name, reorders.get(first.product_code))
        elif first.kind == "recalled_lot_used":
            # facts of the past, they do not move: the text as raised, the facts from its rows
            message, facts = first.message, await recalled_lot_used_facts(scope, first)
        elif first.kind == "order_overdue":
            message, facts = first.message, await order_overdue_facts(scope, first, names)
        else:
            message, facts = first.message, None
        session_ids = [first.session_id] if first.session_id else []
        read.append(AlertNow(group, message, session_ids, name, facts))
    return read


def _shortages(
    group: AlertGroup, short: dict[tuple[uuid.UUID, str], tuple[date, int]], name: str
) -> AlertNow:
    """A product's shortage alerts as one, counting what their sessions lack now."""
    lacking = sorted(
        (
            ShortSession(a.session_id, *short[(a.session_id, a.product_code)])
            for a in group.alerts
            if a.session_id is not None and (a.session_id, a.product_code) in short
        ),
        key=lambda s: (s.session_on, str(s.session_id)),
    )
    facts = ShortageFacts(
        sessions=len(lacking),
        vials=sum(s.quantity for s in lacking),
        first_session_on=lacking[0].session_on if lacking else None,
    )
    message = shortage_text(name, lacking)
    return AlertNow(group, message, [s.session_id for s in lacking], name, facts)


def _reorder(name: str, suggestion: ReorderSuggestion | None) -> tuple[str, ReorderFacts]:
    """The reorder the forecast calls for now (None: the stock now holds)."""
    if suggestion is None:
        return reorder_text(name, None, None), ReorderFacts(None, None, None, None, None)
    facts = ReorderFacts(
        quantity=suggestion.quantity,
        projected=suggestion.projected_at_arrival,
        projected_on=suggestion.arrival_on,
        lead_time_days=suggestion.lead_time_days,
        safety_stock=suggestion.safety_stock,
    )
    return reorder_text(name, suggestion.quantity, suggestion.reason), facts


async def _suggestions(
    scope: Scope, product_codes: set[str], today: date
) -> dict[str, ReorderSuggestion | None]:
    """The reorder the forecast calls for now, per product."""
    if not product_codes:
        return {}
    found = await outlooks(scope, today, scope.forecast_settings, product_codes)
    return {o.product.code: o.reorder for o in found}


async def _expiries(scope: Scope, alerts: Sequence[Alert]) -> tuple[str, ExpiryFacts | None]:
    """Each expiring lot's text, the soonest to expire first (then by lot number): alerts
    raised by one scan share their time, so their own order says nothing. No facts when a lot
    is gone (its text is then the one raised)."""
    found: list[tuple[date, str, str]] = []
    lots: list[ExpiringLot] = []
    for alert in alerts:
        lot = await scope.lots.get(alert.lot_id) if alert.lot_id else None
        if lot is None:
            found.append((date.max, "", alert.message))
        else:
            text = expiry_text(lot.lot_number, lot.available, lot.expires_on)
            found.append((lot.expires_on, lot.lot_number, text))
            lots.append(ExpiringLot(lot.lot_number, lot.available, lot.expires_on))
    message = " ".join(text for _, _, text in sorted(found))
    if len(lots) < len(alerts):
        return message, None
    return message, ExpiryFacts(tuple(sorted(lots, key=lambda x: (x.expires_on, x.lot_number))))
