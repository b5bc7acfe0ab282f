"""SQL for the confirmations of actions: their lock, their sessions, those not sent yet.

Every booked or moved session runs the statements of `confirm_action` (lock, sessions, recall,
cancel) once or more, so they are built once and sent on asyncpg itself (`clinic_shared.direct`),
and the action's sessions come with their hold in one round trip. Measured (issue 27 item 3) on
the pipeline's bookings paced at 50 a second, six waves of 300 each way, interleaved, on the
loaded 2-core machine: notifications' CPU per booking went from 5.6-8.8 ms (median 6.9) to
2.7-4.6 ms (median 3.6), while inventory's, beside it, stayed alike (median 5.8 and 5.4).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from clinic_shared.direct import Direct
from clinic_shared.outbox import Repository
from notifications.adapters.orm import messages, sessions

# not sent and not with a provider: it can still change or be withdrawn (no IN: a direct
# statement takes no list parameter)
_NOT_GONE = sa.and_(
    sa.or_(messages.c.status == "scheduled", messages.c.status == "sending"),
    messages.c.handed_over_at.is_(None),
)
_ACTION = sa.bindparam("action_id", type_=messages.c.subject_id.type)
_NOW = sa.bindparam("now", type_=messages.c.updated_at.type)
_OF_ACTION = sa.and_(messages.c.subject_id == _ACTION, messages.c.kind == "confirmation")

_LOCK = Direct(
    sa.select(
        sa.func.pg_advisory_xact_lock(
            sa.func.hashtextextended(sa.bindparam("key", type_=sa.Text), 0)
        )
    )
)
# when the action's first event was applied here: its confirmations' creation
_HELD_SINCE = sa.select(sa.func.min(messages.c.created_at)).where(_OF_ACTION).scalar_subquery()
_SESSIONS = Direct(
    sa.select(sessions, _HELD_SINCE.label("held_since"))
    .where(sessions.c.action_id == _ACTION)
    .order_by(sessions.c.starts_at, sessions.c.session_id)
)
_RECALL = Direct(
    sa.update(messages)
    .where(_OF_ACTION, messages.c.status == "sending", messages.c.handed_over_at.is_(None))
    .values(status="cancelled", lease_expires_at=None, updated_at=_NOW)
)
_CANCEL = Direct(
    sa.update(messages)
    .where(
        _OF_ACTION,
        messages.c.channel != sa.all_(sa.bindparam("keep", type_=ARRAY(messages.c.channel.type))),
        _NOT_GONE,
    )
    .values(
        status="cancelled",
        last_error=sa.bindparam("reason", type_=messages.c.last_error.type),
        lease_expires_at=None,
        updated_at=_NOW,
    )
)


class ConfirmationRepository(Repository):
    async def lock(self, action_id: uuid.UUID) -> None:
        """Hold the action's lock until commit: the events of one action, applied by several
        consumers at once, each plan its confirmation on what the one before committed."""
        await _LOCK.run(self._session, {"key": f"confirmation:{action_id}"})

    async def sessions(self, action_id: uuid.UUID) -> tuple[Sequence[Any], datetime | None]:
        """The sessions the action last booked or moved, whatever their status, by start; and
        when its first event was applied here (its confirmations' creation), None before."""
        rows = await _SESSIONS.rows(self._session, {"action_id": action_id})
        return rows, rows[0].held_since if rows else None

    async def unsent(self, course_id: uuid.UUID) -> Sequence[sa.Row[Any]]:
        """The course's confirmations of actions not with a provider yet, one row per channel
        (a session's own confirmation, from before actions, has the session as subject)."""
        statement = sa.select(messages).where(
            messages.c.course_id == course_id,
            messages.c.kind == "confirmation",
            _NOT_GONE,
            messages.c.subject_id != messages.c.session_id,
        )
        return (await self._session.execute(statement)).all()

    async def recall(self, action_id: uuid.UUID, *, now: datetime) -> None:
        """Take back the action's confirmations a dispatcher holds but has not handed over: it
        checks its lease before sending, so they go as re-planned, not as they were."""
        await _RECALL.run(self._session, {"action_id": action_id, "now": now})

    async def cancel(
        self, action_id: uuid.UUID, *, keep: Sequence[str], reason: str, now: datetime
    ) -> None:
        """Cancel the action's confirmations not gone yet, but those by `keep` channels."""
        params = {"action_id": action_id, "keep": list(keep), "reason": reason, "now": now}
        await _CANCEL.run(self._session, params)

    async def told_of(self, session_id: uuid.UUID, course_id: uuid.UUID) -> bool:
        """Whether a confirmation or reminder naming the session reached its provider."""
        rows = await self._session.execute(
            sa.select(messages.c.session_id, messages.c.context).where(
                messages.c.course_id == course_id,
                messages.c.kind.in_(("confirmation", "reminder")),
                sa.or_(
                    messages.c.status.in_(("sent", "delivered")),
                    messages.c.handed_over_at.is_not(None),
                ),
            )
        )
        named = str(session_id)
        return any(
            row.session_id == session_id
            or any(s["session_id"] == named for s in row.context.get("sessions", []))
            for row in rows
        )
