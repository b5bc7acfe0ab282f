"""Messages to patients: what is scheduled, sent, delivered, failed, and every attempt."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter

from clinic_shared.paging import Page, paged
from notifications.entrypoints.api.deps import ClinicalStaff, ScopeDep
from notifications.entrypoints.api.schemas import (
    AttemptPublic,
    Channel,
    MessageDetail,
    MessageKind,
    MessagePublic,
    MessageStatus,
)
from notifications.service_layer.messages import find_messages, message_with_attempts

router = APIRouter(prefix="/v1/messages", tags=["messages"])


@router.get("", response_model=list[MessagePublic])
async def list_messages(
    scope: ScopeDep,
    who: ClinicalStaff,
    page: Annotated[Page, paged(100)],
    patient_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    status: MessageStatus | None = None,
    kind: MessageKind | None = None,
    channel: Channel | None = None,
) -> list[MessagePublic]:
    """Messages in the order they go out, filtered by patient, session, status, kind, channel.
    Not to a stock manager: every message is about a patient (their id, session, delivery); to a
    practitioner, those of the patients they treat (who have a session with them) only."""
    given = {
        "patient_id": patient_id,
        "session_id": session_id,
        "status": status,
        "kind": kind,
        "channel": channel,
    }
    filters: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    rows = await find_messages(
        scope, who=who, filters=filters, limit=page.limit, offset=page.offset
    )
    return [MessagePublic.of(row._mapping) for row in rows]


@router.get("/{message_id}", response_model=MessageDetail)
async def read_message(message_id: uuid.UUID, scope: ScopeDep, who: ClinicalStaff) -> MessageDetail:
    """The message with every attempt; 404 to a practitioner for a patient they do not treat."""
    row, attempts = await message_with_attempts(scope, message_id, who=who)
    return message_detail(row, attempts)


def message_detail(row: Any, attempts: Sequence[Any]) -> MessageDetail:
    summary = MessagePublic.of(row._mapping)
    found = [AttemptPublic.model_validate(a._mapping) for a in attempts]
    return MessageDetail(**summary.model_dump(), attempts=found)
