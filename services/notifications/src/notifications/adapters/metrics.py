"""The messages as /metrics shows them: counts by status, channel and kind, read at each scrape."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.metrics import Reading, StateGauge
from notifications.adapters.orm import messages, staff_alerts


async def _by_status(session: AsyncSession, _: datetime) -> Reading:
    rows = await session.execute(
        sa.select(messages.c.status, messages.c.channel, messages.c.kind, sa.func.count()).group_by(
            messages.c.status, messages.c.channel, messages.c.kind
        )
    )
    return {(status, channel, kind): count for status, channel, kind, count in rows}


async def _due(session: AsyncSession, now: datetime) -> Reading:
    """Messages whose time has come and that no dispatcher has taken yet."""
    rows = await session.execute(
        sa.select(messages.c.channel, messages.c.kind, sa.func.count())
        .where(messages.c.status == "scheduled", messages.c.due_at <= now)
        .group_by(messages.c.channel, messages.c.kind)
    )
    return {(channel, kind): count for channel, kind, count in rows}


async def _staff_alerts(session: AsyncSession, _: datetime) -> Reading:
    rows = await session.execute(
        sa.select(staff_alerts.c.status, sa.func.count()).group_by(staff_alerts.c.status)
    )
    return {(status,): count for status, count in rows}


MESSAGE_GAUGES = (
    StateGauge(
        "clinic_messages",
        "Messages by status (scheduled, sending, sent, failed, expired, cancelled), channel and "
        "kind. The sent, failed and expired counts only grow.",
        ("status", "channel", "kind"),
        _by_status,
    ),
    StateGauge(
        "clinic_messages_due",
        "Messages due now and not yet taken by a dispatcher, by channel and kind.",
        ("channel", "kind"),
        _due,
    ),
    StateGauge(
        "clinic_staff_alerts",
        "Alerts to staff by status (pending, sent, failed, no_recipients).",
        ("status",),
        _staff_alerts,
    ),
)
