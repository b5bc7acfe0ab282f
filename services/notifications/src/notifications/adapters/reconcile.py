"""SQL of reconciliation: notifications' copy of many sessions at once."""

from __future__ import annotations

import uuid
from collections.abc import Collection

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from notifications.adapters.orm import sessions
from notifications.domain.reconcile import Projected


class ProjectionRepository(Repository):
    async def projected(self, session_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Projected]:
        """The sessions among `session_ids` known here."""
        if not session_ids:
            return {}
        rows = await self._session.execute(
            sa.select(
                sessions.c.session_id, sessions.c.starts_at, sessions.c.status, sessions.c.sequence
            ).where(sessions.c.session_id.in_(list(session_ids)))
        )
        return {r.session_id: Projected(r.starts_at, r.status, r.sequence) for r in rows}
