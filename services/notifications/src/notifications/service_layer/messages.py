"""What staff read of patients' messages: the list, and one message with every attempt."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from clinic_shared.auth import Principal
from clinic_shared.errors import NotFound
from notifications.service_layer.access import treated_by
from notifications.service_layer.scope import Scope


async def find_messages(
    scope: Scope, *, who: Principal, filters: dict[str, Any], limit: int, offset: int
) -> Sequence[Any]:
    """Messages matching `filters` (column to value) in the order they go out; to a
    practitioner, those of the patients they treat only."""
    return await scope.messages.find(
        filters=filters, limit=limit, offset=offset, treated_by=treated_by(who)
    )


async def message_with_attempts(
    scope: Scope, message_id: uuid.UUID, *, who: Principal
) -> tuple[Any, Sequence[Any]]:
    """The message and its attempts in order; 404 when there is no such message, or when it is
    to a patient the practitioner asking does not treat (its existence is not theirs to know)."""
    message = await scope.messages.get(message_id, treated_by=treated_by(who))
    if message is None:
        raise NotFound(f"No message {message_id}.")
    return message, await scope.messages.attempts(message_id)
