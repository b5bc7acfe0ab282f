"""Quiet hours hold for every message a patient gets, at send time too.

Planning keeps messages out of quiet hours; what comes due in them anyway (a catch-up after
downtime, a retry) waits for their end, and is dropped when its session starts first.
"""

from __future__ import annotations

import logging
from typing import Any

from notifications.adapters.leases import Leased
from notifications.domain.timing import quiet_hours_hold
from notifications.service_layer.scope import Scope

log = logging.getLogger(__name__)
STARTS_IN_QUIET_HOURS = "the session starts before quiet hours end"


async def hold_in_quiet_hours(scope: Scope, leased: list[Leased]) -> list[Leased]:
    """Put back the leased messages quiet hours forbid at the scope's now: due again when they
    end, or expired when their session starts first. Returns the others, free to go."""
    now = scope.now
    quiet = (await scope.policy.get()).quiet_hours
    held: list[tuple[Any, dict[str, Any]]] = []
    free: list[Leased] = []
    for message, contact in leased:
        at = quiet_hours_hold(now, expires_at=message.expires_at, windows=quiet, zone=scope.zone)
        if at is None:
            held.append((message, {"status": "expired", "last_error": STARTS_IN_QUIET_HOURS}))
        elif at > now:
            deferred_from = message.deferred_from or now  # the first hold is the one to count
            values = {"status": "scheduled", "scheduled_for": at, "due_at": at}
            held.append((message, values | {"deferred_from": deferred_from}))
        else:
            free.append((message, contact))
    await scope.leases.finish_many(held, now=now)
    for message, values in held:
        status = values["status"]
        log.info("message %s: quiet hours", status, extra={"message_id": str(message.id)})
    return free
