"""Raising and settling alerts; each is stored once per subject and window."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from clinic_shared.errors import NotFound
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.alert_repository import AlertRepository
from inventory.domain.alerts import Alert, recalled_use_key, shortage_key
from inventory.domain.lots import Lot
from inventory.domain.sessions import BookedSession

log = logging.getLogger(__name__)


async def sync_shortage_alerts(
    uow: UnitOfWork, booked: BookedSession, short: dict[str, int], now: datetime
) -> None:
    """One open alert per product the session lacks; the others settled."""
    repo = AlertRepository(uow.session)
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
    uow: UnitOfWork, booked: BookedSession, lot: Lot, now: datetime
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
    await AlertRepository(uow.session).raise_once(
        "recalled_lot_used",
        recalled_use_key(booked.session_id, lot.id),
        product_code=lot.product_code,
        message=message,
        now=now,
        lot_id=lot.id,
        session_id=booked.session_id,
    )


async def settle_reorder_alerts(uow: UnitOfWork, product_code: str, now: datetime) -> None:
    """Stock arrived: the product's open reorder suggestion is settled (the scan may raise anew)."""
    repo = AlertRepository(uow.session)
    await repo.resolve(await repo.open_keys(f"reorder:{product_code}:"), now)


async def dismiss_alert(uow: UnitOfWork, alert_id: uuid.UUID, now: datetime) -> Alert:
    repo = AlertRepository(uow.session)
    if await repo.get(alert_id) is None:
        raise NotFound(f"No alert {alert_id}.")
    await repo.dismiss(alert_id, now)
    alert = await repo.get(alert_id)
    assert alert is not None
    return alert
