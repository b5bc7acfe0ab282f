"""SQL for the reminder policy: one row, the defaults until an admin saves one."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.outbox import Repository
from notifications.adapters.orm import policy
from notifications.domain.policy import DEFAULT_POLICY, Policy, QuietWindow, ReminderRule

POLICY_ID = 1

_POLICY = sa.select(policy).where(policy.c.id == POLICY_ID)


def policy_of(row: Any) -> Policy:
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


class PolicyRepository(Repository):
    async def get(self) -> Policy:
        """The stored policy, or the defaults when none was saved."""
        return policy_of((await self._session.execute(_POLICY)).one_or_none())

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
