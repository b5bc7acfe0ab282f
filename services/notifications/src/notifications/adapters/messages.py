"""SQL for messages: idempotent scheduling, cancelling, reading."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.direct import Direct
from clinic_shared.outbox import Repository
from notifications.adapters.orm import message_attempts, messages
from notifications.adapters.sessions import treated_patients
from notifications.domain.planning import PlannedMessage
from notifications.domain.replies import SentSms

KEY = ("subject_id", "kind", "offset_minutes", "anchor_at", "channel")


@functools.cache
def _schedule(columns: tuple[str, ...]) -> Direct:
    """The upsert behind `schedule`, built once per set of columns (every booking runs it twice
    or more, and building it costs more CPU than running it), sent on asyncpg itself (see
    `clinic_shared.direct`); its values' parameters named, as a compiled statement needs."""
    insert = pg_insert(messages).values(
        {k: sa.bindparam(k, type_=messages.c[k].type) for k in columns}
    )
    retimed = (
        "status",
        "scheduled_for",
        "due_at",
        "expires_at",
        "deferred_from",
        "updated_at",
        "context",
        "session_id",
        "last_error",
    )
    upsert = insert.on_conflict_do_update(
        index_elements=[messages.c[k] for k in KEY],
        set_={column: insert.excluded[column] for column in retimed},
        # a cancelled key comes back; an untried one takes the new time (and wording, and the
        # session a confirmation names first)
        where=sa.or_(
            messages.c.status == "cancelled",
            sa.and_(messages.c.status == "scheduled", messages.c.attempts == 0),
        ),
    )
    return Direct(upsert)


@functools.cache
def _cancel_pending(sparing_an_anchor: bool) -> Any:
    """The UPDATE behind `cancel_pending`, built once (every session event runs it)."""
    condition = sa.and_(
        messages.c.session_id == sa.bindparam("of_session"),
        messages.c.subject_id == sa.bindparam("of_session"),  # not an action's confirmation
        messages.c.status.in_(("scheduled", "sending")),
        messages.c.handed_over_at.is_(None),  # already with the provider: too late to stop
        messages.c.kind.in_(sa.bindparam("kinds", expanding=True)),
    )
    if sparing_an_anchor:
        condition = sa.and_(condition, messages.c.anchor_at != sa.bindparam("except_anchor"))
    return (
        sa.update(messages)
        .where(condition)
        .values(status="cancelled", lease_expires_at=None, updated_at=sa.bindparam("now"))
    )


class MessageRepository(Repository):
    async def schedule_all(
        self,
        planned: Sequence[PlannedMessage],
        *,
        patient_id: uuid.UUID,
        subject_id: uuid.UUID,
        session_id: uuid.UUID | None,
        course_id: uuid.UUID | None,
        context: dict[str, Any],
        now: datetime,
    ) -> None:
        """Add the messages of one subject in one statement, each unless its key exists: a
        cancelled one with the key is revived, one not tried yet is moved to the planned time.
        Of two with the same key the later wins, as it would one after the other."""
        rows = {
            (p.kind, p.offset_minutes, p.anchor_at, p.channel): {
                "id": uuid.uuid4(),
                "patient_id": patient_id,
                "session_id": session_id,
                "course_id": course_id,
                "subject_id": subject_id,
                "kind": p.kind,
                "channel": p.channel,
                "offset_minutes": p.offset_minutes,
                "anchor_at": p.anchor_at,
                "attempts": 0,
                "context": context,
                "created_at": now,
                "status": "scheduled",
                "last_error": None,
                "scheduled_for": p.scheduled_for,
                "due_at": p.scheduled_for,
                "expires_at": p.expires_at,
                "deferred_from": p.deferred_from,
                "updated_at": now,
            }
            for p in planned
        }
        if rows:
            values = list(rows.values())
            await _schedule(tuple(values[0])).run_many(self._session, values)

    async def cancel_pending(
        self,
        session_id: uuid.UUID,
        *,
        kinds: Sequence[str],
        now: datetime,
        except_anchor: datetime | None = None,
    ) -> int:
        """Cancel the session's own unsent messages of `kinds` (but those for `except_anchor`);
        an action's confirmation naming it is the action's to change.

        Messages a dispatcher holds (`sending`) are cancelled too: the dispatcher checks again
        just before sending that the message is still `sending` under its lease, and never
        overwrites a status it no longer holds.
        """
        params: dict[str, Any] = {"of_session": session_id, "kinds": list(kinds), "now": now}
        if except_anchor is not None:
            params["except_anchor"] = except_anchor
        result = await self._session.execute(_cancel_pending(except_anchor is not None), params)
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def update_pending_context(
        self, session_id: uuid.UUID, values: dict[str, Any], *, now: datetime
    ) -> int:
        """Merge `values` into the context of the session's messages not sent yet."""
        rows = await self._session.execute(
            sa.select(messages.c.id, messages.c.context).where(
                messages.c.session_id == session_id, messages.c.status == "scheduled"
            )
        )
        updated = 0
        for row in rows.all():
            result = await self._session.execute(
                sa.update(messages)
                .where(messages.c.id == row.id, messages.c.status == "scheduled")
                .values(context=row.context | values, updated_at=now)
            )
            updated += int(result.rowcount)  # type: ignore[attr-defined]
        return updated

    async def find(
        self,
        *,
        filters: dict[str, Any],
        limit: int,
        offset: int,
        treated_by: uuid.UUID | None = None,
        deferred: bool | None = None,
        scheduled_from: datetime | None = None,
        scheduled_before: datetime | None = None,
        newest_first: bool = False,
    ) -> Sequence[sa.Row[Any]]:
        """Messages matching `filters` (column to value), held by quiet hours or not
        (`deferred`), due in [`scheduled_from`, `scheduled_before`), in the order they go out
        or the reverse; with `treated_by`, only those of the patients that practitioner treats."""
        conditions = [messages.c[name] == value for name, value in filters.items()]
        conditions += _of_patients_treated_by(treated_by)
        if deferred is not None:
            held = messages.c.deferred_from
            conditions.append(held.is_not(None) if deferred else held.is_(None))
        if scheduled_from is not None:
            conditions.append(messages.c.scheduled_for >= scheduled_from)
        if scheduled_before is not None:
            conditions.append(messages.c.scheduled_for < scheduled_before)
        order = (messages.c.scheduled_for, messages.c.id)
        statement = (
            sa.select(messages)
            .where(*conditions)
            .order_by(*(column.desc() for column in order) if newest_first else order)
            .limit(limit)
            .offset(offset)
        )
        return (await self._session.execute(statement)).all()

    async def queue_again(self, message_id: uuid.UUID, *, now: datetime, by: str) -> bool:
        """Queue the failed message to go now, handed over anew, with the whole retry budget
        again (its tries so far stay on record); True when this call did (a concurrent call
        waits on the row, then finds it no longer failed)."""
        statement = (
            sa.update(messages)
            .where(messages.c.id == message_id, messages.c.status == "failed")
            .values(
                status="scheduled",
                due_at=now,
                handed_over_at=None,
                provider_id=None,
                last_error=None,
                resent_at=now,
                resent_by=by,
                attempts_before_resend=messages.c.attempts,
                updated_at=now,
            )
            .returning(messages.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def get(
        self, message_id: uuid.UUID, *, treated_by: uuid.UUID | None = None
    ) -> sa.Row[Any] | None:
        """The message; with `treated_by`, only if its patient is one that practitioner treats."""
        statement = sa.select(messages).where(
            messages.c.id == message_id, *_of_patients_treated_by(treated_by)
        )
        return (await self._session.execute(statement)).one_or_none()

    async def attempts(self, message_id: uuid.UUID) -> Sequence[sa.Row[Any]]:
        statement = (
            sa.select(message_attempts)
            .where(message_attempts.c.message_id == message_id)
            .order_by(message_attempts.c.number)
        )
        return (await self._session.execute(statement)).all()

    async def sms_sent_to(
        self, patient_ids: Sequence[uuid.UUID], *, since: datetime, until: datetime
    ) -> list[SentSms]:
        """The reminders and confirmations these patients were sent by SMS in [since, until],
        each with the session it named first (handed over to the provider counts as sent)."""
        went = sa.func.coalesce(messages.c.sent_at, messages.c.handed_over_at)
        rows = await self._session.execute(
            sa.select(messages.c.patient_id, messages.c.session_id, went.label("went")).where(
                messages.c.patient_id.in_(patient_ids),
                messages.c.channel == "sms",
                messages.c.kind.in_(("confirmation", "reminder")),
                messages.c.session_id.is_not(None),
                went.between(since, until),
            )
        )
        return [SentSms(r.patient_id, r.session_id, r.went) for r in rows]

    async def cancel_reminders_except(
        self, session_id: uuid.UUID, keep: set[tuple[int, str]], *, now: datetime
    ) -> None:
        """Cancel the session's scheduled reminders whose (offset, channel) is not in `keep`."""
        rows = await self._session.execute(
            sa.select(messages.c.id, messages.c.offset_minutes, messages.c.channel).where(
                messages.c.session_id == session_id,
                messages.c.kind == "reminder",
                messages.c.status == "scheduled",
            )
        )
        dropped = [r.id for r in rows if (r.offset_minutes, r.channel) not in keep]
        if dropped:
            await self._session.execute(
                sa.update(messages)
                .where(messages.c.id.in_(dropped), messages.c.status == "scheduled")
                .values(status="cancelled", last_error="policy changed", updated_at=now)
            )

    async def report_delivery(
        self, provider_id: str, values: dict[str, Any], *, now: datetime
    ) -> sa.Row[Any] | None:
        """Apply a provider's final report (`values`) to the sent message it names; the message
        as it was, or None when no sent message has that id."""
        sent = messages.c.provider_id == provider_id, messages.c.status == "sent"
        message = (await self._session.execute(sa.select(messages).where(*sent))).first()
        if message is not None:
            await self._session.execute(
                sa.update(messages).where(*sent).values(updated_at=now, **values)
            )
        return message


def _of_patients_treated_by(practitioner_id: uuid.UUID | None) -> list[sa.ColumnElement[bool]]:
    """No condition without a practitioner; else: the message's patient is one they treat."""
    if practitioner_id is None:
        return []
    return [messages.c.patient_id.in_(treated_patients(practitioner_id))]
