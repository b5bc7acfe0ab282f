"""The envelope every event travels in, and the base of every event contract."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Event(BaseModel):
    """An event's `data`. Subclasses set TYPE (`<service>.<entity>.<verb>`) and VERSION.

    Consumers read with extra="ignore": a producer may add fields without breaking them.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = Field(min_length=3, max_length=200, pattern=r"^[a-z_]+\.[a-z_]+\.[a-z_]+$")
    version: int = Field(ge=1)
    occurred_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    producer: str = Field(min_length=1, max_length=100)
    correlation_id: str = Field(min_length=1, max_length=100)
    causation_id: str | None = Field(default=None, max_length=100)
    data: dict[str, Any]
    # W3C trace context of the span that emitted or published it, when tracing is on.
    traceparent: str | None = Field(default=None, max_length=100)

    @classmethod
    def wrap(
        cls,
        event: Event,
        *,
        producer: str,
        correlation_id: str,
        causation_id: str | None = None,
        occurred_at: datetime | None = None,
        traceparent: str | None = None,
    ) -> Envelope:
        return cls(
            type=event.TYPE,
            version=event.VERSION,
            producer=producer,
            correlation_id=correlation_id,
            causation_id=causation_id,
            occurred_at=occurred_at or datetime.now(UTC),
            data=event.model_dump(mode="json"),
            traceparent=traceparent,
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, body: bytes) -> Envelope:
        return cls.model_validate_json(body)
