"""Raising and settling alerts; each is stored once per subject and window."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from clinic_shared.errors import NotFound
from inventory.domain.alerts import Alert, recalled_use_key, shortage_key
from inventory.domain.lots import Lot
from inventory.domain.sessions import BookedSession
from inventory.service_layer.scope import Scope

log = logging.getLogger(__name__)


async def sync_shortage_alerts(
    scope: Scope, booked: BookedSession, short: dict[str, int], now: datetime
) -> None:
    """One open alert per product the session lacks; the others settled."""
    repo = scope.alerts
    for product_code, quantity in short.items():
        key = shortage_key(booked.session_id, product_code)
        message = f"Session on {booked.session_on.isoformat()} lacks {quantity} {product_code}."
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
    message = (
        f"Critical: the session on {booked.session_on.isoformat()} was recorded with lot "
        f"{lot.lot_number} of {lot.product_code}, which is recalled. Follow this patient up with "
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


async def dismiss_alert(scope: Scope, alert_id: uuid.UUID, now: datetime) -> Alert:
    repo = scope.alerts
    if await repo.get(alert_id) is None:
        raise NotFound(f"No alert {alert_id}.")
    await repo.dismiss(alert_id, now)
    alert = await repo.get(alert_id)
    assert alert is not None
    return alert


async def open_alerts(scope: Scope) -> list[Alert]:
    """Open shortage, expiry and reorder alerts, oldest first."""
    return await scope.alerts.list_open()
