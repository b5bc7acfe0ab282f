"""Messages to patients: what is scheduled, sent, delivered, failed, and every attempt."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter

from clinic_shared.errors import NotFound
from clinic_shared.paging import Page, paged
from notifications.adapters.messages import MessageRepository
from notifications.entrypoints.api.deps import Staff, UowDep
from notifications.entrypoints.api.schemas import (
    AttemptPublic,
    Channel,
    MessageDetail,
    MessageKind,
    MessagePublic,
    MessageStatus,
)

router = APIRouter(prefix="/v1/messages", tags=["messages"])


@router.get("", response_model=list[MessagePublic])
async def list_messages(
    uow: UowDep,
    _: Staff,
    page: Annotated[Page, paged(100)],
    patient_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    status: MessageStatus | None = None,
    kind: MessageKind | None = None,
    channel: Channel | None = None,
) -> list[MessagePublic]:
    """Messages in the order they go out, filtered by patient, session, status, kind, channel."""
    given = {
        "patient_id": patient_id,
        "session_id": session_id,
        "status": status,
        "kind": kind,
        "channel": channel,
    }
    filters: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    rows = await MessageRepository(uow.session).find(
        filters=filters, limit=page.limit, offset=page.offset
    )
    return [MessagePublic.of(row._mapping) for row in rows]


@router.get("/{message_id}", response_model=MessageDetail)
async def read_message(message_id: uuid.UUID, uow: UowDep, _: Staff) -> MessageDetail:
    repo = MessageRepository(uow.session)
    row = await repo.get(message_id)
    if row is None:
        raise NotFound(f"No message {message_id}.")
    attempts = [AttemptPublic.model_validate(a._mapping) for a in await repo.attempts(message_id)]
    summary = MessagePublic.of(row._mapping)
    return MessageDetail(**summary.model_dump(), attempts=attempts)
