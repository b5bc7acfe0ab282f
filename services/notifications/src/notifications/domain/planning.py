"""Which messages a session, a completion or a due rebooking calls for, and when each goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from notifications.domain.policy import Channel, Policy
from notifications.domain.timing import (
    after_quiet_hours,
    before_quiet_hours,
    instant_at,
    reminder_instant,
)

Kind = Literal["confirmation", "reminder", "aftercare", "nudge"]
RESCHEDULE_SETTLE = timedelta(minutes=5)
"""A moved session's new confirmation waits this long, so a burst of moves sends one."""


@dataclass(frozen=True)
class Reach:
    """How a patient may be reached: addresses and consent per channel."""

    phone: str | None
    email: str | None
    preferred_channel: Channel
    consent_sms: bool
    consent_email: bool

    def allows(self, channel: Channel) -> bool:
        if channel == "sms":
            return self.consent_sms and self.phone is not None
        return self.consent_email and self.email is not None

    def best_channel(self) -> Channel | None:
        """The preferred channel when allowed, else the other one when allowed."""
        other: Channel = "email" if self.preferred_channel == "sms" else "sms"
        return next((c for c in (self.preferred_channel, other) if self.allows(c)), None)


@dataclass(frozen=True)
class PlannedMessage:
    kind: Kind
    channel: Channel
    offset_minutes: int
    anchor_at: datetime
    scheduled_for: datetime
    expires_at: datetime | None


def plan_session_messages(
    *,
    starts_at: datetime,
    reach: Reach,
    policy: Policy,
    zone: ZoneInfo,
    now: datetime,
    moved: bool = False,
) -> list[PlannedMessage]:
    """A confirmation and the policy's reminders for a session booked (or moved) at `now`.

    A reminder falls back before quiet hours; one already past at `now` is skipped (short notice).
    Reminders go only by a channel the patient consented to; the confirmation by the best one.
    """
    if now >= starts_at:
        return []
    planned = []
    if (channel := reach.best_channel()) is not None:
        confirm_at = now + RESCHEDULE_SETTLE if moved else now
        planned.append(PlannedMessage("confirmation", channel, 0, starts_at, confirm_at, starts_at))
    for rule in policy.reminders:
        send_at = before_quiet_hours(
            reminder_instant(starts_at, rule.offset, zone), policy.quiet_hours, zone
        )
        if reach.allows(rule.channel) and now <= send_at < starts_at:
            offset = rule.offset_hours * 60
            planned.append(
                PlannedMessage("reminder", rule.channel, offset, starts_at, send_at, starts_at)
            )
    return planned


def plan_aftercare(
    *, starts_at: datetime, reach: Reach, policy: Policy, zone: ZoneInfo, now: datetime
) -> PlannedMessage | None:
    """After-care advice some time after a completed session, not in quiet hours."""
    channel = reach.best_channel()
    if channel is None:
        return None
    delay = timedelta(minutes=policy.aftercare_delay_minutes)
    send_at = after_quiet_hours(now + delay, policy.quiet_hours, zone)
    return PlannedMessage("aftercare", channel, 0, starts_at, send_at, None)


def plan_nudge(
    *,
    next_sequence: int,
    window_closes_on: date,
    reach: Reach,
    policy: Policy,
    zone: ZoneInfo,
    now: datetime,
) -> PlannedMessage | None:
    """A nudge to book the course's next session before its window closes (end of that day)."""
    channel = reach.best_channel()
    closes_at = instant_at(datetime.combine(window_closes_on, time(23, 59)), zone)
    send_at = after_quiet_hours(now, policy.quiet_hours, zone)
    if channel is None or send_at >= closes_at:
        return None
    return PlannedMessage("nudge", channel, next_sequence, closes_at, send_at, closes_at)
