"""SQL of the dispatcher: lease due messages, record each attempt and its outcome."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from clinic_shared.db import Database
from clinic_shared.outbox import Repository
from notifications.adapters.orm import contacts, message_attempts, messages

MessageRow = sa.Row[Any]
"""A message as read: `messages`' columns, its lease among them."""
ContactRow = sa.Row[Any]
"""A patient's contact as read: `contacts`' columns."""
Leased = tuple[MessageRow, ContactRow | None]
"""A leased message and its patient's contact (None when unknown)."""
UNCONFIRMED = "the service stopped before the provider's answer; not sent again"


class LeaseRepository(Repository):
    """The messages a dispatcher takes, sends and settles."""

    async def lease_due(self, *, now: datetime, limit: int, lease_for: timedelta) -> list[Leased]:
        """Mark up to `limit` due messages `sending` until `now + lease_for`; return them and
        their contacts (read in the same round trip set, not once per message).

        Due: scheduled with `due_at <= now`, or sending under a lapsed lease (its replica died)
        and not yet handed over. On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so
        replicas never share one.
        """
        due = sa.or_(
            sa.and_(messages.c.status == "scheduled", messages.c.due_at <= now),
            sa.and_(
                messages.c.status == "sending",
                messages.c.lease_expires_at <= now,
                messages.c.handed_over_at.is_(None),
            ),
        )
        picked = (
            (
                await self._session.execute(
                    sa.select(messages.c.id)
                    .where(due)
                    .order_by(messages.c.due_at, messages.c.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        if not picked:
            return []
        await self._session.execute(
            sa.update(messages)
            .where(messages.c.id.in_(picked))
            .values(status="sending", lease_expires_at=now + lease_for, updated_at=now)
        )
        chosen = sa.select(messages).where(messages.c.id.in_(picked))
        leased = (await self._session.execute(chosen)).all()
        patients = {row.patient_id for row in leased}
        found = await self._session.execute(
            sa.select(contacts).where(contacts.c.patient_id.in_(patients))
        )
        by_patient = {row.patient_id: row for row in found}
        return [(row, by_patient.get(row.patient_id)) for row in leased]

    async def settle_handed_over(self, *, now: datetime) -> list[sa.Row[Any]]:
        """Settle as sent the messages a replica handed over and then died before recording: the
        provider had the whole message, so sending again would be a duplicate. Each gets its
        attempt, marked unconfirmed. Returns them."""
        settled = (
            await self._session.execute(
                sa.update(messages)
                .where(
                    messages.c.status == "sending",
                    messages.c.lease_expires_at <= now,
                    messages.c.handed_over_at.is_not(None),
                )
                .values(
                    status="sent",
                    sent_at=messages.c.handed_over_at,
                    attempts=messages.c.attempts + 1,
                    lease_expires_at=None,
                    last_error=None,
                    updated_at=now,
                )
                .returning(messages.c.id, messages.c.attempts, messages.c.handed_over_at)
            )
        ).all()
        await self.record_attempts(
            [
                {
                    "message_id": row.id,
                    "number": row.attempts,
                    "started_at": row.handed_over_at,
                    "outcome": "sent",
                    "error": UNCONFIRMED,
                    "provider_id": None,
                }
                for row in settled
            ],
        )
        return list(settled)

    async def still_ours(
        self, leased: Sequence[sa.Row[Any]], *, lock: bool = False
    ) -> set[uuid.UUID]:
        """Which of `leased` are still `sending` under the lease we took (not cancelled, moved or
        retaken since): only those may be handed to a channel. One statement for them all; with
        `lock`, the rows stay locked until the transaction ends (PostgreSQL)."""
        if not leased:
            return set()
        lease_of = {row.id: row.lease_expires_at for row in leased}
        statement = sa.select(messages.c.id, messages.c.lease_expires_at).where(
            messages.c.id.in_(lease_of), messages.c.status == "sending"
        )
        if lock:
            statement = statement.with_for_update()
        found = await self._session.execute(statement)
        return {row.id for row in found if row.lease_expires_at == lease_of[row.id]}

    async def finish_many(
        self, outcomes: Sequence[tuple[sa.Row[Any], dict[str, Any]]], *, now: datetime
    ) -> set[uuid.UUID]:
        """Set the outcome of each leased message still ours, in a few statements; which were.

        The rows still ours are locked first, then updated by one executemany per set of columns
        (each update still requires the lease).
        """
        ours = await self.still_ours([message for message, _ in outcomes], lock=True)
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for message, values in outcomes:
            if message.id in ours:
                shape = tuple(sorted(values))
                params = {f"v_{name}": values[name] for name in shape}
                params |= {"m_id": message.id, "m_lease": message.lease_expires_at}
                shapes.setdefault(shape, []).append(params)
        for shape, params_list in shapes.items():
            statement = (
                sa.update(messages)
                .where(
                    messages.c.id == sa.bindparam("m_id"),
                    messages.c.status == "sending",
                    messages.c.lease_expires_at == sa.bindparam("m_lease"),
                )
                .values(
                    {messages.c[name]: sa.bindparam(f"v_{name}") for name in shape}
                    | {messages.c.lease_expires_at: None, messages.c.updated_at: now}
                )
            )
            await self._session.execute(statement, params_list)
        return ours

    async def record_attempts(self, attempts: Sequence[dict[str, Any]]) -> None:
        """Insert attempts (message_id, number, started_at, outcome, error, provider_id) at once."""
        if attempts:
            await self._session.execute(sa.insert(message_attempts), list(attempts))


async def _hand_over(
    connection: AsyncConnection, leased: Sequence[sa.Row[Any]], *, now: datetime
) -> None:
    """Mark the leased messages still ours (`sending` under the lease we took) as handed over
    to their provider: one statement per lease, normally one in all, so that on an autocommit
    connection it is a single round trip."""
    by_lease: dict[Any, list[uuid.UUID]] = {}
    for row in leased:
        by_lease.setdefault(row.lease_expires_at, []).append(row.id)
    for lease, ids in by_lease.items():
        await connection.execute(
            sa.update(messages)
            .where(
                messages.c.id.in_(ids),
                messages.c.status == "sending",
                messages.c.lease_expires_at == lease,
            )
            .values(handed_over_at=now, updated_at=now)
        )


async def hand_over_at_once(db: Database, leased: Sequence[sa.Row[Any]], *, now: datetime) -> None:
    """`_hand_over`, committed as it runs, outside any unit of work: a kill lands between a
    message's last byte and this commit (the one window where a message can go twice) for a
    single round trip."""
    async with db.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await _hand_over(autocommit, leased, now=now)
