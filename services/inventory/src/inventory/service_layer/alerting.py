"""Raising and settling alerts; each is stored once per subject and window."""

from __future__ import annotations

import uuid
from datetime import datetime

from clinic_shared.errors import NotFound
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.alert_repository import AlertRepository
from inventory.domain.alerts import Alert, shortage_key
from inventory.domain.sessions import BookedSession


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
