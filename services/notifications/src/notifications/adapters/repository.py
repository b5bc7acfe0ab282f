"""SQL for the policy, the contact projection and the session projection."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.orm import contacts, policy, sessions
from notifications.adapters.sql import upsert
from notifications.domain.planning import Reach
from notifications.domain.policy import DEFAULT_POLICY, Policy, QuietWindow, ReminderRule

POLICY_ID = 1


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self) -> Policy:
        """The stored policy, or the defaults when none was saved."""
        row = (
            await self._session.execute(sa.select(policy).where(policy.c.id == POLICY_ID))
        ).one_or_none()
        if row is None:
            return DEFAULT_POLICY
        return Policy(
            reminders=tuple(ReminderRule(r["offset_hours"], r["channel"]) for r in row.reminders),
            quiet_hours=tuple(
                QuietWindow(time.fromisoformat(w["start"]), time.fromisoformat(w["end"]))
                for w in row.quiet_hours
            ),
            aftercare_delay_minutes=row.aftercare_delay_minutes,
        )

    async def save(self, value: Policy, *, now: datetime) -> None:
        values: dict[str, Any] = {
            "reminders": [
                {"offset_hours": r.offset_hours, "channel": r.channel} for r in value.reminders
            ],
            "quiet_hours": [
                {"start": w.start.isoformat("minutes"), "end": w.end.isoformat("minutes")}
                for w in value.quiet_hours
            ],
            "aftercare_delay_minutes": value.aftercare_delay_minutes,
            "updated_at": now,
        }
        statement = upsert(self._session, policy).values(id=POLICY_ID, **values)
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=[policy.c.id], set_=values)
        )


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def reach(self, patient_id: uuid.UUID) -> Reach | None:
        row = (
            await self._session.execute(
                sa.select(contacts).where(contacts.c.patient_id == patient_id)
            )
        ).one_or_none()
        if row is None:
            return None
        return Reach(
            phone=row.phone,
            email=row.email,
            preferred_channel=row.preferred_channel,
            consent_sms=row.consent_sms,
            consent_email=row.consent_email,
        )


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record_if_newer(self, values: dict[str, Any]) -> bool:
        """Store this state of a session unless a newer event already did; True when stored.

        The upsert locks the session's row until commit, so two events of one session are
        applied one after the other, never interleaved.
        """
        statement = upsert(self._session, sessions).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[sessions.c.session_id],
            set_={k: statement.excluded[k] for k in values if k != "session_id"},
            where=sessions.c.source_occurred_at <= statement.excluded.source_occurred_at,
        ).returning(sessions.c.session_id)
        return (await self._session.execute(statement)).first() is not None

    async def next_booked(
        self, patient_ids: list[uuid.UUID], *, after: datetime
    ) -> sa.Row[Any] | None:
        """The earliest booked session of these patients that has not started by `after`."""
        statement = (
            sa.select(sessions)
            .where(
                sessions.c.patient_id.in_(patient_ids),
                sessions.c.status == "booked",
                sessions.c.starts_at > after,
            )
            .order_by(sessions.c.starts_at)
            .limit(1)
        )
        return (await self._session.execute(statement)).first()

    async def upcoming_booked(
        self, patient_ids: list[uuid.UUID] | None, *, after: datetime
    ) -> list[sa.Row[Any]]:
        """Booked sessions (of these patients, or everyone's) not started by `after`."""
        statement = (
            sa.select(sessions)
            .where(sessions.c.status == "booked", sessions.c.starts_at > after)
            .order_by(sessions.c.starts_at)
        )
        if patient_ids is not None:
            statement = statement.where(sessions.c.patient_id.in_(patient_ids))
        return list((await self._session.execute(statement)).all())
