"""Which messages a booking, a move, a cancellation, a completion or a due rebooking calls for,
and when each goes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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

Kind = Literal["confirmation", "reminder", "aftercare", "nudge", "cancellation", "displaced"]
CONFIRMATION_HOLD = timedelta(minutes=5)
"""A confirmation waits this long when its action may not all be here yet (its events come
separately), or was a move (so a burst of moves sends one)."""


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

    def allowed(self) -> tuple[Channel, ...]:
        """Every channel allowed, the preferred one first."""
        other: Channel = "email" if self.preferred_channel == "sms" else "sms"
        return tuple(c for c in (self.preferred_channel, other) if self.allows(c))

    def best_channel(self) -> Channel | None:
        """The preferred channel when allowed, else the other one when allowed."""
        return next(iter(self.allowed()), None)


# After-care advice is for the days after an injection (no sport, drink water): past them, a
# completion recorded late sends none.
AFTERCARE_FOR = timedelta(days=2)


@dataclass(frozen=True)
class PlannedMessage:
    kind: Kind
    channel: Channel
    offset_minutes: int
    anchor_at: datetime
    scheduled_for: datetime
    expires_at: datetime | None
    deferred_from: datetime | None = None
    """When it would have gone had quiet hours not held it (None: they did not)."""


@dataclass(frozen=True)
class Booked:
    """A session an action booked or moved, as it stands."""

    session_id: uuid.UUID
    starts_at: datetime
    sequence: int
    ends_at: datetime | None = None  # None when told before ends were kept
    revision: int = 0  # its calendar revision (iCalendar SEQUENCE)


@dataclass(frozen=True)
class Confirmation:
    """When an action's confirmation goes, by which channels, and the sessions it lists."""

    channels: tuple[Channel, ...]
    scheduled_for: datetime
    sessions: tuple[Booked, ...]
    deferred_from: datetime | None = None
    """When it would have gone had quiet hours not held it (None: they did not)."""

    @property
    def expires_at(self) -> datetime:
        """The first session it lists: a confirmation never goes once that has started."""
        return self.sessions[0].starts_at


def plan_reminders(
    *, starts_at: datetime, reach: Reach, policy: Policy, zone: ZoneInfo, now: datetime
) -> list[PlannedMessage]:
    """The policy's reminders of a session booked (or moved) at `now`.

    A reminder falls back before quiet hours (earlier, so never counted as deferred by them);
    one already past at `now` is skipped (short
    notice). Reminders go only by a channel the patient consented to.
    """
    planned = []
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


def plan_confirmation(
    *,
    sessions: Sequence[Booked],
    whole: bool,
    moved: bool,
    held_since: datetime,
    reach: Reach,
    policy: Policy,
    zone: ZoneInfo,
) -> Confirmation | None:
    """One confirmation of one action (a booking, a move), by every consented channel.

    A booking's goes once its action is all here; a move's, or one whose action is not all
    here yet, `CONFIRMATION_HOLD` after the action's first event arrived (`held_since`). Never
    in quiet hours: it waits for their end. It lists the action's sessions still booked that
    start after it goes; None when there is none, or no channel.
    """
    ready = held_since if whole and not moved else held_since + CONFIRMATION_HOLD
    send_at, deferred_from = _deferred(ready, policy, zone)
    listed = tuple(sorted((s for s in sessions if s.starts_at > send_at), key=_start))
    if not listed or not reach.allowed():
        return None
    return Confirmation(reach.allowed(), send_at, listed, deferred_from)


def plan_cancellation(
    *, starts_at: datetime, reach: Reach, policy: Policy, zone: ZoneInfo, now: datetime
) -> list[PlannedMessage]:
    """A notice of a cancelled session, by every consented channel, after quiet hours; none
    once the session's time has come by then (nothing is sent after a session's start)."""
    return _notice("cancellation", starts_at, reach, policy, zone, now)


def plan_displaced(
    *, starts_at: datetime, reach: Reach, policy: Policy, zone: ZoneInfo, now: datetime
) -> list[PlannedMessage]:
    """A notice that time off or a closure displaced a session, with the patient's link to pick
    a new time, by every consented channel, after quiet hours; none once its time has come."""
    return _notice("displaced", starts_at, reach, policy, zone, now)


def _notice(
    kind: Kind, starts_at: datetime, reach: Reach, policy: Policy, zone: ZoneInfo, now: datetime
) -> list[PlannedMessage]:
    send_at, deferred_from = _deferred(now, policy, zone)
    if send_at >= starts_at:
        return []
    return [
        PlannedMessage(kind, channel, 0, starts_at, send_at, starts_at, deferred_from)
        for channel in reach.allowed()
    ]


def _start(session: Booked) -> datetime:
    return session.starts_at


def _deferred(ready: datetime, policy: Policy, zone: ZoneInfo) -> tuple[datetime, datetime | None]:
    """When a message ready at `ready` goes (the end of quiet hours when they hold it), and
    `ready` when they did (what the deferred-for-quiet-hours metric counts), else None."""
    send_at = after_quiet_hours(ready, policy.quiet_hours, zone)
    return send_at, ready if send_at > ready else None


def plan_aftercare(
    *, starts_at: datetime, reach: Reach, policy: Policy, zone: ZoneInfo, now: datetime
) -> PlannedMessage | None:
    """After-care advice some time after a completed session, not in quiet hours; none once
    AFTERCARE_FOR has passed since the session started (a completion recorded days late)."""
    channel = reach.best_channel()
    if channel is None:
        return None
    delay = timedelta(minutes=policy.aftercare_delay_minutes)
    send_at, deferred_from = _deferred(now + delay, policy, zone)
    expires_at = starts_at + AFTERCARE_FOR
    if send_at >= expires_at:
        return None
    return PlannedMessage("aftercare", channel, 0, starts_at, send_at, expires_at, deferred_from)


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
    send_at, deferred_from = _deferred(now, policy, zone)
    if channel is None or send_at >= closes_at:
        return None
    return PlannedMessage(
        "nudge", channel, next_sequence, closes_at, send_at, closes_at, deferred_from
    )
