"""SQL for the policy, the contact projection and the session projection."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.direct import Direct
from clinic_shared.outbox import Repository
from notifications.adapters.orm import contacts, policy, sessions
from notifications.domain.planning import Reach
from notifications.domain.policy import DEFAULT_POLICY, Policy, QuietWindow, ReminderRule

POLICY_ID = 1


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


_POLICY = sa.select(policy).where(policy.c.id == POLICY_ID)
_REACH = (
    contacts.c.phone,
    contacts.c.email,
    contacts.c.preferred_channel,
    contacts.c.consent_sms,
    contacts.c.consent_email,
)
_PLANNING = (*_REACH, policy.c.reminders, policy.c.quiet_hours, policy.c.aftercare_delay_minutes)
_CONTACT = sa.select(*_REACH).where(contacts.c.patient_id == sa.bindparam("patient_id"))
# The contact and the policy in one round trip: every booked session plans with both.
_CONTACT_AND_POLICY = (
    sa.select(*_PLANNING)
    .select_from(contacts.outerjoin(policy, policy.c.id == POLICY_ID))
    .where(contacts.c.patient_id == sa.bindparam("patient_id"))
)


@functools.cache
def _record_booked_if_newer(columns: tuple[str, ...]) -> Direct:
    """`_record_if_newer` and `_CONTACT_AND_POLICY` in one round trip."""
    recorded = _record_if_newer(columns, nested=True).cte("recorded")
    joined = recorded.outerjoin(contacts, contacts.c.patient_id == recorded.c.patient_id)
    return Direct(
        sa.select(recorded, *_PLANNING).select_from(
            joined.outerjoin(policy, policy.c.id == POLICY_ID)
        )
    )


def _policy(row: Any) -> Policy:
    """The policy in `row`, or the defaults when none was saved."""
    if row is None or row.reminders is None:
        return DEFAULT_POLICY
    return Policy(
        reminders=tuple(ReminderRule(r["offset_hours"], r["channel"]) for r in row.reminders),
        quiet_hours=tuple(
            QuietWindow(time.fromisoformat(w["start"]), time.fromisoformat(w["end"]))
            for w in row.quiet_hours
        ),
        aftercare_delay_minutes=row.aftercare_delay_minutes,
    )


def _reach(row: Any) -> Reach | None:
    """How the patient in `row` may be reached; None when no contact was found."""
    if row.preferred_channel is None:
        return None
    return Reach(
        phone=row.phone,
        email=row.email,
        preferred_channel=row.preferred_channel,
        consent_sms=row.consent_sms,
        consent_email=row.consent_email,
    )


class PolicyRepository(Repository):
    async def get(self) -> Policy:
        """The stored policy, or the defaults when none was saved."""
        return _policy((await self._session.execute(_POLICY)).one_or_none())

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
        statement = pg_insert(policy).values(id=POLICY_ID, **values)
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=[policy.c.id], set_=values)
        )


def _planning(row: Any) -> tuple[Reach, Policy] | None:
    reach = None if row is None else _reach(row)
    return None if reach is None else (reach, _policy(row))


class ContactRepository(Repository):
    async def project(self, patient_id: uuid.UUID, details: dict[str, Any]) -> None:
        """Store the details of a patient event unless a newer one did, or the patient was
        erased; a contact new here starts with no consent (the ledger gives it)."""
        occurred_at = details["source_occurred_at"]
        current = (
            await self._session.execute(
                sa.select(contacts.c.source_occurred_at, contacts.c.erased_at)
                .where(contacts.c.patient_id == patient_id)
                .with_for_update()
            )
        ).one_or_none()
        if current is None:
            await self._session.execute(
                sa.insert(contacts).values(
                    patient_id=patient_id, consent_sms=False, consent_email=False, **details
                )
            )
        elif current.erased_at is None and current.source_occurred_at <= occurred_at:
            await self._session.execute(
                sa.update(contacts).where(contacts.c.patient_id == patient_id).values(**details)
            )

    async def get(self, patient_id: uuid.UUID) -> sa.Row[Any] | None:
        statement = sa.select(contacts).where(contacts.c.patient_id == patient_id)
        return (await self._session.execute(statement)).one_or_none()

    async def set_preferences(
        self, patient_id: uuid.UUID, *, preferred_channel: str, language: str, now: datetime
    ) -> None:
        """Staff's choice of channel and language; the patient's next event may change them
        again (it leaves `source_occurred_at` to the events, or an edit made before this one,
        still on its way, would be dropped as older)."""
        await self._session.execute(
            sa.update(contacts)
            .where(contacts.c.patient_id == patient_id)
            .values(preferred_channel=preferred_channel, language=language, updated_at=now)
        )

    async def reach(self, patient_id: uuid.UUID) -> Reach | None:
        row = (await self._session.execute(_CONTACT, {"patient_id": patient_id})).one_or_none()
        return None if row is None else _reach(row)

    async def reach_and_policy(self, patient_id: uuid.UUID) -> tuple[Reach, Policy] | None:
        """How the patient may be reached and the reminder policy, or None for an unknown
        patient."""
        query = _CONTACT_AND_POLICY
        row = (await self._session.execute(query, {"patient_id": patient_id})).one_or_none()
        return _planning(row)


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
        return row, _planning(row)

    async def renumber_if_newer(
        self, session_id: uuid.UUID, *, sequence: int, sessions_planned: int, occurred_at: datetime
    ) -> bool:
        """Store the session's new number unless a newer event set it; True when stored."""
        statement = (
            sa.update(sessions)
            .where(sessions.c.session_id == session_id, _number_set_at() <= occurred_at)
            .values(
                sequence=sequence,
                sessions_planned=sessions_planned,
                sequence_occurred_at=occurred_at,
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


def _number_set_at() -> sa.ColumnElement[Any]:
    """When the stored session's number was set: by a renumbering, or with its other facts."""
    return sa.func.coalesce(sessions.c.sequence_occurred_at, sessions.c.source_occurred_at)
