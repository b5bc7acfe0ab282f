"""Quiet hours hold for every message a patient gets, at send time too.

Planning keeps messages out of quiet hours; what comes due in them anyway (a catch-up after
downtime, a retry) waits for their end, and is dropped when its session starts first.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from notifications.adapters import leases
from notifications.adapters.repository import PolicyRepository
from notifications.domain.timing import quiet_hours_hold

log = logging.getLogger(__name__)
STARTS_IN_QUIET_HOURS = "the session starts before quiet hours end"


async def hold_in_quiet_hours(
    session: Any, leased: list[leases.Leased], *, now: datetime, zone: ZoneInfo
) -> list[leases.Leased]:
    """Put back the leased messages quiet hours forbid at `now`: due again when they end, or
    expired when their session starts first. Returns the others, free to go."""
    quiet = (await PolicyRepository(session).get()).quiet_hours
    held: list[tuple[Any, dict[str, Any]]] = []
    free: list[leases.Leased] = []
    for message, contact in leased:
        at = quiet_hours_hold(now, expires_at=message.expires_at, windows=quiet, zone=zone)
        if at is None:
            held.append((message, {"status": "expired", "last_error": STARTS_IN_QUIET_HOURS}))
        elif at > now:
            held.append((message, {"status": "scheduled", "scheduled_for": at, "due_at": at}))
        else:
            free.append((message, contact))
    await leases.finish_many(session, held, now=now)
    for message, values in held:
        status = values["status"]
        log.info("message %s: quiet hours", status, extra={"message_id": str(message.id)})
    return free
