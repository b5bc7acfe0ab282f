"""The SMS provider's delivery reports: sent messages become delivered or failed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from clinic_shared.outbox import UnitOfWork
from notifications.adapters.orm import messages

DELIVERED = {"delivered", "read"}
UNDELIVERED = {"undelivered", "failed"}


async def record_delivery_status(
    uow: UnitOfWork, *, provider_id: str, status: str, error_code: str | None, now: datetime
) -> bool:
    """Apply a final report to the sent message it names; False when nothing changed."""
    if status in DELIVERED:
        values: dict[str, object] = {"status": "delivered", "delivered_at": now}
    elif status in UNDELIVERED:
        values = {"status": "failed", "last_error": f"undelivered (code {error_code or '?'})"}
    else:
        return False  # queued, sending, sent: nothing new
    result = await uow.session.execute(
        sa.update(messages)
        .where(messages.c.provider_id == provider_id, messages.c.status == "sent")
        .values(updated_at=now, **values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
