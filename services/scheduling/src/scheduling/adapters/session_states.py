"""SQL of the session list consumers reconcile with: every session with its course's facts, in
version order (`updated_at`, then id), read by keyset."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from clinic_shared.contracts.sessions import SessionState
from clinic_shared.outbox import Repository
from scheduling.adapters.orm import courses, sessions

_STATES = sa.select(
    sessions.c.id.label("session_id"),
    sessions.c.course_id,
    sessions.c.patient_id,
    sessions.c.practitioner_id,
    sessions.c.room_id,
    courses.c.treatment_code,
    sessions.c.sequence,
    courses.c.sessions_planned,
    sessions.c.starts_at,
    sessions.c.ends_at,
    sessions.c.status,
    sessions.c.products_used,
    sessions.c.updated_at.label("version"),
).select_from(sessions.join(courses, courses.c.id == sessions.c.course_id))


class SessionStateRepository(Repository):
    async def page(
        self,
        *,
        updated_since: datetime | None,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[SessionState]:
        """Up to `limit` sessions written at or after `updated_since` and past the cursor
        `after` (a version and a session id), oldest version first."""
        query = _STATES
        if updated_since is not None:
            query = query.where(sessions.c.updated_at >= updated_since)
        if after is not None:
            query = query.where(sa.tuple_(sessions.c.updated_at, sessions.c.id) > sa.tuple_(*after))
        query = query.order_by(sessions.c.updated_at, sessions.c.id).limit(limit)
        rows = (await self._session.execute(query)).mappings()
        return [_state(row) for row in rows]


def _state(row: sa.RowMapping) -> SessionState:
    return SessionState.model_validate({**row, "products_used": row["products_used"] or []})
