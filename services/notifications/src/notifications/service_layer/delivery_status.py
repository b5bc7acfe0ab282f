"""The SMS provider's delivery reports: sent messages become delivered or failed."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from clinic_shared.outbox import UnitOfWork
from notifications.adapters.orm import messages
from notifications.service_layer.alerts import alert_failed_message

DELIVERED = {"delivered", "read"}
UNDELIVERED = {"undelivered", "failed"}


async def record_delivery_status(
    uow: UnitOfWork,
    *,
    provider_id: str,
    status: str,
    error_code: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> bool:
    """Apply a final report to the sent message it names; False when nothing changed.

    An undelivered message raises a staff alert.
    """
    if status in DELIVERED:
        values: dict[str, object] = {"status": "delivered", "delivered_at": now}
    elif status in UNDELIVERED:
        values = {"status": "failed", "last_error": f"undelivered (code {error_code or '?'})"}
    else:
        return False  # queued, sending, sent: nothing new
    sent = messages.c.provider_id == provider_id, messages.c.status == "sent"
    message = (await uow.session.execute(sa.select(messages).where(*sent))).first()
    if message is None:
        return False
    await uow.session.execute(sa.update(messages).where(*sent).values(updated_at=now, **values))
    if values["status"] == "failed":
        await alert_failed_message(uow, message, str(values["last_error"]), zone=zone, now=now)
    return True
