"""`GET /v1/sessions/states`: every session's current facts and version, for the services that
keep a projection of them (inventory, notifications) to reconcile with.

Paged by an opaque cursor (the last row's version and id), so a session written while a client
pages moves to the end of the list, where the client meets it again, instead of shifting the
pages under it.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from clinic_shared.contracts.sessions import SessionStatesPage
from clinic_shared.errors import Unprocessable
from clinic_shared.fields import Instant
from scheduling.entrypoints.api.deps import Admin, ScopeDep
from scheduling.service_layer import agenda

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])
MAX_STATES = 500


@router.get("/states", response_model=SessionStatesPage)
async def session_states(
    scope: ScopeDep,
    _: Admin,
    updated_since: Instant | None = None,
    after: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_STATES)] = 200,
) -> SessionStatesPage:
    """Sessions written at or after `updated_since` (all when absent), oldest version first;
    `after` is the `next` of the previous page."""
    found = await agenda.session_states(
        scope, updated_since=updated_since, after=read_cursor(after), limit=limit
    )
    last = found[-1] if len(found) == limit else None
    return SessionStatesPage(
        items=found, next=cursor_of(last.version, last.session_id) if last else None
    )


def cursor_of(version: datetime, session_id: uuid.UUID) -> str:
    text = f"{version.isoformat()}|{session_id}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def read_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if cursor is None:
        return None
    try:
        version, _, session_id = base64.urlsafe_b64decode(cursor).decode().partition("|")
        at = datetime.fromisoformat(version)
        if at.tzinfo is None:
            raise ValueError("no offset")
        return at.astimezone(UTC), uuid.UUID(session_id)
    except (ValueError, OverflowError, binascii.Error) as exc:
        raise Unprocessable(
            "`after` is not a cursor this list gave.",
            errors=[{"field": "query.after", "reason": "not a cursor from `next`"}],
        ) from exc
