"""SQL for the session projection: each session's newest state, from scheduling's events."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.direct import Direct
from clinic_shared.outbox import Repository
from notifications.adapters.contacts import PLANNING, planning_of
from notifications.adapters.orm import contacts, policy, sessions
from notifications.adapters.policy import POLICY_ID
from notifications.domain.planning import Reach
from notifications.domain.policy import Policy


@functools.cache
def _record_if_newer(columns: tuple[str, ...], nested: bool = False) -> Any:
    """The upsert behind `record_if_newer`, built once per set of columns: every
    session event runs it, and building it costs more CPU than running it. `nested` names its
    values' parameters, as a statement within another one must."""
    insert = pg_insert(sessions)
    if nested:
        insert = insert.values({k: sa.bindparam(k, type_=sessions.c[k].type) for k in columns})
    excluded = insert.excluded
    number_is_older = _number_set_at() > excluded.source_occurred_at
    kept = {"sequence", "sessions_planned", "session_id"}
    updates: dict[str, Any] = {k: excluded[k] for k in columns if k not in kept}
    if "revision" in columns:  # a repair may carry none (0): a calendar never goes back
        updates["revision"] = sa.func.greatest(sessions.c.revision, excluded.revision)
    for name in ("sequence", "sessions_planned"):
        updates[name] = sa.case((number_is_older, sessions.c[name]), else_=excluded[name])
    updates["sequence_occurred_at"] = sa.case(
        (number_is_older, sessions.c.sequence_occurred_at), else_=None
    )
    return insert.on_conflict_do_update(
        index_elements=[sessions.c.session_id],
        set_=updates,
        where=sessions.c.source_occurred_at <= excluded.source_occurred_at,
    ).returning(sessions.c.patient_id, sessions.c.sequence, sessions.c.sessions_planned, _INSERTED)


# Whether the upsert inserted the row rather than updated it: an inserted row has no `xmax` (an
# updated one carries the updater's id).
_INSERTED = sa.literal_column("xmax = 0", sa.Boolean).label("inserted")


@functools.cache
def _record_booked_if_newer(columns: tuple[str, ...]) -> Direct:
    """`_record_if_newer` and the read of the contact and the policy (as `ContactRepository.
    reach_and_policy` does) in one round trip."""
    recorded = _record_if_newer(columns, nested=True).cte("recorded")
    joined = recorded.outerjoin(contacts, contacts.c.patient_id == recorded.c.patient_id)
    return Direct(
        sa.select(recorded, *PLANNING).select_from(
            joined.outerjoin(policy, policy.c.id == POLICY_ID)
        )
    )


class SessionRepository(Repository):
    async def record_if_newer(self, values: dict[str, Any]) -> sa.Row[Any] | None:
        """Store this state of a session unless a newer event already did; the stored row, or
        None. Its number stays that of a newer renumbering.

        The upsert locks the session's row until commit, so two events of one session are
        applied one after the other, never interleaved.
        """
        statement = _record_if_newer(tuple(values))
        return (await self._session.execute(statement, values)).first()

    async def record_booked_if_newer(
        self, values: dict[str, Any]
    ) -> tuple[sa.Row[Any] | None, tuple[Reach, Policy] | None]:
        """`record_if_newer` for a session booked or moved, with what planning its messages
        needs: how the patient may be reached and the policy (None for an unknown patient)."""
        found = await _record_booked_if_newer(tuple(values)).rows(self._session, values)
        row = found[0] if found else None
        return row, planning_of(row)

    async def renumber_if_newer(
        self,
        session_id: uuid.UUID,
        *,
        sequence: int,
        sessions_planned: int,
        practitioner_id: uuid.UUID,
        occurred_at: datetime,
    ) -> bool:
        """Store the session's new number unless a newer event set it; True when stored. Its
        practitioner too, when the row was stored before practitioners were kept."""
        statement = (
            sa.update(sessions)
            .where(sessions.c.session_id == session_id, _number_set_at() <= occurred_at)
            .values(
                sequence=sequence,
                sessions_planned=sessions_planned,
                sequence_occurred_at=occurred_at,
                practitioner_id=sa.func.coalesce(sessions.c.practitioner_id, practitioner_id),
            )
            .returning(sessions.c.session_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def known(self, session_id: uuid.UUID) -> bool:
        statement = sa.select(sessions.c.session_id).where(sessions.c.session_id == session_id)
        return (await self._session.scalar(statement)) is not None

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

    async def booked_not_started(
        self, session_id: uuid.UUID, *, after: datetime
    ) -> sa.Row[Any] | None:
        """The session, if it is booked and has not started by `after`."""
        statement = sa.select(sessions).where(
            sessions.c.session_id == session_id,
            sessions.c.status == "booked",
            sessions.c.starts_at > after,
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


def treated_patients(practitioner_id: uuid.UUID) -> sa.Select[Any]:
    """The ids of the patients with a session with the practitioner (those they treat)."""
    return sa.select(sessions.c.patient_id).where(sessions.c.practitioner_id == practitioner_id)


def _number_set_at() -> sa.ColumnElement[Any]:
    """When the stored session's number was set: by a renumbering, or with its other facts."""
    return sa.func.coalesce(sessions.c.sequence_occurred_at, sessions.c.source_occurred_at)
