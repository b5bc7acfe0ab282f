"""SQL of the dispatcher: lease due messages, record each attempt and its outcome."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from notifications.adapters.orm import contacts, message_attempts, messages

Leased = tuple[sa.Row[Any], sa.Row[Any] | None]
"""A leased message and its patient's contact (None when unknown)."""


async def lease_due(
    session: AsyncSession, *, now: datetime, limit: int, lease_for: timedelta
) -> list[Leased]:
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
            await session.execute(
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
    await session.execute(
        sa.update(messages)
        .where(messages.c.id.in_(picked))
        .values(status="sending", lease_expires_at=now + lease_for, updated_at=now)
    )
    leased = (await session.execute(sa.select(messages).where(messages.c.id.in_(picked)))).all()
    patients = {row.patient_id for row in leased}
    found = await session.execute(sa.select(contacts).where(contacts.c.patient_id.in_(patients)))
    by_patient = {row.patient_id: row for row in found}
    return [(row, by_patient.get(row.patient_id)) for row in leased]


UNCONFIRMED = "the service stopped before the provider's answer; not sent again"


async def settle_handed_over(session: AsyncSession, *, now: datetime) -> list[sa.Row[Any]]:
    """Settle as sent the messages a replica handed over and then died before recording: the
    provider had the whole message, so sending again would be a duplicate. Each gets its
    attempt, marked unconfirmed. Returns them."""
    settled = (
        await session.execute(
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
    await record_attempts(
        session,
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


async def hand_over(
    connection: AsyncConnection | AsyncSession, leased: Sequence[sa.Row[Any]], *, now: datetime
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


async def still_ours(
    session: AsyncSession, leased: Sequence[sa.Row[Any]], *, lock: bool = False
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
    found = await session.execute(statement)
    return {row.id for row in found if row.lease_expires_at == lease_of[row.id]}


async def finish_many(
    session: AsyncSession, outcomes: Sequence[tuple[sa.Row[Any], dict[str, Any]]], *, now: datetime
) -> set[uuid.UUID]:
    """Set the outcome of each leased message still ours, in a few statements; which were.

    The rows still ours are locked first, then updated by one executemany per set of columns
    (each update still requires the lease, as `finish` does).
    """
    ours = await still_ours(session, [message for message, _ in outcomes], lock=True)
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
        await session.execute(statement, params_list)
    return ours


async def finish(
    session: AsyncSession, leased: sa.Row[Any], *, now: datetime, **values: Any
) -> bool:
    """Set a leased message's outcome; False when it is no longer ours (lease lapsed, retaken)."""
    result = await session.execute(
        sa.update(messages)
        .where(
            messages.c.id == leased.id,
            messages.c.status == "sending",
            messages.c.lease_expires_at == leased.lease_expires_at,
        )
        .values(lease_expires_at=None, updated_at=now, **values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def record_attempts(session: AsyncSession, attempts: Sequence[dict[str, Any]]) -> None:
    """Insert attempts (message_id, number, started_at, outcome, error, provider_id) at once."""
    if attempts:
        await session.execute(sa.insert(message_attempts), list(attempts))


async def record_attempt(
    session: AsyncSession,
    message_id: uuid.UUID,
    *,
    number: int,
    started_at: datetime,
    outcome: str,
    error: str | None,
    provider_id: str | None,
) -> None:
    await session.execute(
        sa.insert(message_attempts).values(
            message_id=message_id,
            number=number,
            started_at=started_at,
            outcome=outcome,
            error=error,
            provider_id=provider_id,
        )
    )
