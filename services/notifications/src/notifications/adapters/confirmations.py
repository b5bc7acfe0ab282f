"""SQL for the confirmations of actions: their lock, their sessions, those not sent yet."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from notifications.adapters.orm import messages, sessions

# not sent and not with a provider: it can still change or be withdrawn
_NOT_GONE = sa.and_(
    messages.c.status.in_(("scheduled", "sending")), messages.c.handed_over_at.is_(None)
)


class ConfirmationRepository(Repository):
    async def lock(self, action_id: uuid.UUID) -> None:
        """Hold the action's lock until commit: the events of one action, applied by several
        consumers at once, each plan its confirmation on what the one before committed."""
        key = sa.func.hashtextextended(f"confirmation:{action_id}", 0)
        await self._session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))

    async def sessions(self, action_id: uuid.UUID) -> Sequence[sa.Row[Any]]:
        """The sessions the action last booked or moved, whatever their status, by start."""
        statement = (
            sa.select(sessions)
            .where(sessions.c.action_id == action_id)
            .order_by(sessions.c.starts_at, sessions.c.session_id)
        )
        return (await self._session.execute(statement)).all()

    async def held_since(self, action_id: uuid.UUID) -> datetime | None:
        """When the action's first event was applied here (its confirmations' creation)."""
        first: datetime | None = await self._session.scalar(
            sa.select(sa.func.min(messages.c.created_at)).where(
                messages.c.subject_id == action_id, messages.c.kind == "confirmation"
            )
        )
        return first

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
        await self._session.execute(
            sa.update(messages)
            .where(
                messages.c.subject_id == action_id,
                messages.c.kind == "confirmation",
                messages.c.status == "sending",
                messages.c.handed_over_at.is_(None),
            )
            .values(status="cancelled", lease_expires_at=None, updated_at=now)
        )

    async def cancel(
        self, action_id: uuid.UUID, *, keep: Sequence[str], reason: str, now: datetime
    ) -> None:
        """Cancel the action's confirmations not gone yet, but those by `keep` channels."""
        await self._session.execute(
            sa.update(messages)
            .where(
                messages.c.subject_id == action_id,
                messages.c.kind == "confirmation",
                messages.c.channel.not_in(keep),
                _NOT_GONE,
            )
            .values(status="cancelled", last_error=reason, lease_expires_at=None, updated_at=now)
        )

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
