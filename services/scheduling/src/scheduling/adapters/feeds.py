"""SQL for practitioners' calendar feeds: their secrets and the sessions a feed lists."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.crypto import blind_index
from clinic_shared.outbox import Repository
from scheduling.adapters.calendar import LONGEST_SESSION
from scheduling.adapters.orm import (
    courses,
    patients,
    practitioner_feeds,
    rooms,
    sessions,
    treatments,
)

FEED_STATUSES = ("booked", "confirmed", "cancelled")


class FeedRepository(Repository):
    async def secret(self, practitioner_id: uuid.UUID) -> str | None:
        """The practitioner's feed secret, opened (None: no feed yet)."""
        secret: str | None = await self._session.scalar(
            sa.select(practitioner_feeds.c.secret).where(
                practitioner_feeds.c.practitioner_id == practitioner_id
            )
        )
        return secret

    async def add_if_absent(self, practitioner_id: uuid.UUID, secret: str, now: datetime) -> None:
        """Give the practitioner this feed secret unless they have one (two first reads at once
        keep the first one's)."""
        await self._session.execute(
            pg_insert(practitioner_feeds)
            .values(**_row(practitioner_id, secret, now))
            .on_conflict_do_nothing(index_elements=[practitioner_feeds.c.practitioner_id])
        )

    async def replace(self, practitioner_id: uuid.UUID, secret: str, now: datetime) -> None:
        """Give the practitioner this feed secret, in place of any other."""
        row = _row(practitioner_id, secret, now)
        insert = pg_insert(practitioner_feeds).values(**row)
        await self._session.execute(
            insert.on_conflict_do_update(
                index_elements=[practitioner_feeds.c.practitioner_id],
                set_={k: insert.excluded[k] for k in ("secret", "secret_index", "rotated_at")},
            )
        )

    async def practitioner_of(self, secret: str) -> uuid.UUID | None:
        """Whose feed this secret opens, looked up by its blind index (None: nobody's)."""
        found: uuid.UUID | None = await self._session.scalar(
            sa.select(practitioner_feeds.c.practitioner_id).where(
                practitioner_feeds.c.secret_index == blind_index(secret)
            )
        )
        return found

    async def sessions(self, practitioner_id: uuid.UUID, *, after: datetime) -> list[Any]:
        """The practitioner's sessions not over by `after` (booked, confirmed or cancelled),
        with the treatment's and the room's names and the patient's names, by start."""
        statement = (
            sa.select(
                sessions.c.id,
                sessions.c.sequence,
                sessions.c.starts_at,
                sessions.c.ends_at,
                sessions.c.status,
                sessions.c.revision,
                sessions.c.updated_at,
                courses.c.sessions_planned,
                treatments.c.name.label("treatment_name"),
                rooms.c.name.label("room_name"),
                patients.c.first_name,
                patients.c.last_name,
            )
            .join(courses, courses.c.id == sessions.c.course_id)
            .join(treatments, treatments.c.code == courses.c.treatment_code)
            .join(rooms, rooms.c.id == sessions.c.room_id)
            .join(patients, patients.c.id == sessions.c.patient_id)
            .where(
                sessions.c.practitioner_id == practitioner_id,
                sessions.c.starts_at > after - LONGEST_SESSION,  # the index's range
                sessions.c.ends_at > after,
                sessions.c.status.in_(FEED_STATUSES),
            )
            .order_by(sessions.c.starts_at, sessions.c.id)
        )
        return list((await self._session.execute(statement)).all())


def _row(practitioner_id: uuid.UUID, secret: str, now: datetime) -> dict[str, Any]:
    return {
        "practitioner_id": practitioner_id,
        "secret": secret,
        "secret_index": blind_index(secret),
        "rotated_at": now,
    }
