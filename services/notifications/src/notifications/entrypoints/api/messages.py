"""Messages to patients: what is scheduled, sent, delivered, failed, and every attempt."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter

from clinic_shared.errors import Unprocessable
from clinic_shared.fields import Day
from clinic_shared.paging import Page, paged
from notifications.entrypoints.api.deps import ClinicalStaff, FrontDesk, ScopeDep
from notifications.entrypoints.api.schemas import (
    AttemptPublic,
    Channel,
    MessageDetail,
    MessageKind,
    MessagePublic,
    MessageStatus,
)
from notifications.service_layer.messages import (
    MessageQuery,
    find_messages,
    message_with_attempts,
    send_again,
)

router = APIRouter(prefix="/v1/messages", tags=["messages"])
# Days a message can be due on, with room to turn them into instants in any time zone.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)


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
    deferred: bool | None = None,
    from_day: Day | None = None,
    to_day: Day | None = None,
    newest_first: bool = False,
) -> list[MessagePublic]:
    """Messages in the order they go out (or `newest_first`), filtered by patient, session,
    status, kind, channel, whether quiet hours held them (`deferred`), and the clinic-local days
    they are due (`from_day`, `to_day`, both included).
    Not to a stock manager: every message is about a patient (their id, session, delivery); to a
    practitioner, those of the patients they treat (who have a session with them) only."""
    for name, day in (("from_day", from_day), ("to_day", to_day)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            problem = [
                {"field": f"query.{name}", "reason": f"must be from {FIRST_DAY} to {LAST_DAY}"}
            ]
            raise Unprocessable("No message is due that far.", errors=problem)
    if from_day and to_day and to_day < from_day:
        problem = [{"field": "query.to_day", "reason": "must not be before from_day"}]
        raise Unprocessable("The last day comes before the first.", errors=problem)
    given = {
        "patient_id": patient_id,
        "session_id": session_id,
        "status": status,
        "kind": kind,
        "channel": channel,
    }
    filters: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    query = MessageQuery(filters, deferred, from_day, to_day, newest_first)
    rows = await find_messages(scope, query, who=who, limit=page.limit, offset=page.offset)
    return [MessagePublic.of(row._mapping) for row in rows]


@router.get("/{message_id}", response_model=MessageDetail)
async def read_message(message_id: uuid.UUID, scope: ScopeDep, who: ClinicalStaff) -> MessageDetail:
    """The message with every attempt; 404 to a practitioner for a patient they do not treat."""
    row, attempts = await message_with_attempts(scope, message_id, who=who)
    return message_detail(row, attempts)


@router.post("/{message_id}/resend", response_model=MessagePublic)
async def resend(message_id: uuid.UUID, scope: ScopeDep, who: FrontDesk) -> MessagePublic:
    """Queue a failed message to go again now (recorded: `resent_at`, `resent_by`). Calling
    again, or two staff at once, queues it once; 409 for a message not failed, or past its time."""
    row = await send_again(scope, message_id, who=who)
    await scope.uow.commit()
    return MessagePublic.of(row._mapping)


def message_detail(row: Any, attempts: Sequence[Any]) -> MessageDetail:
    summary = MessagePublic.of(row._mapping)
    found = [AttemptPublic.model_validate(a._mapping) for a in attempts]
    return MessageDetail(**summary.model_dump(), attempts=found)
