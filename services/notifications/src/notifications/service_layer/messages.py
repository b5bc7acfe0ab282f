"""What staff read of patients' messages (the list, one message with every attempt), and a
failed message sent again."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from clinic_shared.auth import Principal
from clinic_shared.errors import Conflict, NotFound
from notifications.service_layer.access import treated_by
from notifications.service_layer.scope import Scope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MessageQuery:
    """Columns to match, quiet hours (held or not), clinic-local days, and the order."""

    filters: dict[str, Any]
    deferred: bool | None = None
    from_day: date | None = None
    to_day: date | None = None
    newest_first: bool = False


async def find_messages(
    scope: Scope, query: MessageQuery, *, who: Principal, limit: int, offset: int
) -> Sequence[Any]:
    """Messages matching the query, in the order they go out (or newest first); to a
    practitioner, those of the patients they treat only."""
    return await scope.messages.find(
        filters=query.filters,
        limit=limit,
        offset=offset,
        treated_by=treated_by(who),
        deferred=query.deferred,
        scheduled_from=_start(scope, query.from_day),
        scheduled_before=_start(scope, query.to_day + timedelta(days=1) if query.to_day else None),
        newest_first=query.newest_first,
    )


def _start(scope: Scope, day: date | None) -> datetime | None:
    """The clinic-local day's first moment."""
    return datetime.combine(day, time(), scope.zone) if day is not None else None


async def message_with_attempts(
    scope: Scope, message_id: uuid.UUID, *, who: Principal
) -> tuple[Any, Sequence[Any]]:
    """The message and its attempts in order; 404 when there is no such message, or when it is
    to a patient the practitioner asking does not treat (its existence is not theirs to know)."""
    message = await _message(scope, message_id, who)
    return message, await scope.messages.attempts(message_id)


async def _message(scope: Scope, message_id: uuid.UUID, who: Principal) -> Any:
    message = await scope.messages.get(message_id, treated_by=treated_by(who))
    if message is None:
        unknown = [{"field": "path.message_id", "reason": "unknown message"}]
        raise NotFound(f"No message {message_id}.", errors=unknown)
    return message


async def send_again(scope: Scope, message_id: uuid.UUID, *, who: Principal) -> Any:
    """Queue a failed message to go again now; the message as it then stands. Idempotent: a
    message already queued again (by this call's twin, or another staff member's at the same
    moment) is answered as it is. Only a failed message still in time can go again."""
    message = await _message(scope, message_id, who)
    if message.status != "failed":
        if message.resent_at is not None:
            return message
        reason = f"the message is {message.status}, not failed"
        problem = [{"field": "path.message_id", "reason": reason}]
        raise Conflict("Only a failed message can be sent again.", errors=problem)
    if message.expires_at is not None and scope.now >= message.expires_at:
        problem = [{"field": "path.message_id", "reason": "its time has passed"}]
        raise Conflict("This message is no longer worth sending.", errors=problem)
    if await scope.messages.queue_again(message_id, now=scope.now, by=who.subject):
        log.info("failed message queued again", extra={"message_id": str(message_id)})
    return await _message(scope, message_id, who)
