"""Request and response bodies of notifications' API."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from notifications.domain.policy import Policy, QuietWindow, ReminderRule

Channel = Literal["sms", "email"]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["20:00"])]


class ReminderRuleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offset_hours: StrictInt = Field(gt=0, le=24 * 30, description="Hours before the session.")
    channel: Channel


class QuietWindowBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: ClockTime
    end: ClockTime


class PolicyBody(BaseModel):
    """The reminder policy; quiet hours are clinic-local and may span midnight."""

    model_config = ConfigDict(extra="forbid")

    reminders: list[ReminderRuleBody] = Field(max_length=10)
    quiet_hours: list[QuietWindowBody] = Field(max_length=5)
    aftercare_delay_minutes: StrictInt = Field(ge=0, le=7 * 24 * 60)

    def to_policy(self) -> Policy:
        return Policy(
            reminders=tuple(ReminderRule(r.offset_hours, r.channel) for r in self.reminders),
            quiet_hours=tuple(
                QuietWindow(time.fromisoformat(w.start), time.fromisoformat(w.end))
                for w in self.quiet_hours
            ),
            aftercare_delay_minutes=self.aftercare_delay_minutes,
        )

    @classmethod
    def of(cls, policy: Policy) -> PolicyBody:
        return cls(
            reminders=[
                ReminderRuleBody(offset_hours=r.offset_hours, channel=r.channel)
                for r in policy.reminders
            ],
            quiet_hours=[
                QuietWindowBody(start=w.start.isoformat("minutes"), end=w.end.isoformat("minutes"))
                for w in policy.quiet_hours
            ],
            aftercare_delay_minutes=policy.aftercare_delay_minutes,
        )


MessageStatus = Literal[
    "scheduled", "sending", "sent", "delivered", "failed", "cancelled", "expired"
]
MessageKind = Literal["confirmation", "reminder", "aftercare", "nudge", "cancellation", "displaced"]


class MessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    session_id: uuid.UUID | None
    course_id: uuid.UUID | None
    kind: MessageKind
    channel: Channel
    status: MessageStatus
    offset_minutes: int
    scheduled_for: datetime
    expires_at: datetime | None
    attempt_count: int
    sent_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    segments: int | None = Field(None, description="The segments an SMS sent took.")

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> MessagePublic:
        return cls.model_validate({**row, "attempt_count": row["attempts"]})


class AttemptPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    started_at: datetime
    outcome: Literal["sent", "transient", "permanent"]
    error: str | None


class MessageDetail(MessagePublic):
    attempts: list[AttemptPublic]
