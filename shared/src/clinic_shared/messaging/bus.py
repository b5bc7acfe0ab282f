"""The message bus interface that both the RabbitMQ and the in-memory implementations provide."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from clinic_shared.contracts import Envelope

Handler = Callable[[Envelope], Awaitable[None]]
"""Returns to acknowledge; raises PermanentMessageError to dead-letter, anything else to retry."""


class PublishError(Exception):
    """The broker did not confirm the message (down, timed out, nacked)."""


class UnroutableError(PublishError):
    """No queue is bound for the message's routing key."""


@dataclass
class BusHealth:
    connected: bool
    consumers: dict[str, bool] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.connected and all(self.consumers.values())


@dataclass(frozen=True)
class BusOptions:
    namespace: str = ""
    prefetch: int = 16
    max_attempts: int = 5
    retry_delay_seconds: float = 5.0
    publish_timeout_seconds: float = 5.0
    # Every consumer's queues on connect (so an event is never unroutable), or only the queues of
    # the consumers this process subscribes: where each service's broker user may touch only its
    # own queues, and the broker declares the rest at boot (topology.broker_definitions).
    declare_all_queues: bool = True


class MessageBus(Protocol):
    options: BusOptions
    retried: Counter[str]
    """Failed deliveries sent to wait for another try, by consumer."""
    dead_lettered: Counter[str]
    """Deliveries moved to their consumer's dead-letter queue, by consumer."""

    @property
    def channel_reopens(self) -> int:
        """How many times the publisher's channel was replaced because confirms stopped."""

    @property
    def connection_reopens(self) -> int:
        """How many times the connection was started over because no new channel would open."""

    async def connect(self) -> None:
        """Connect and declare the topology; idempotent."""

    async def publish(self, envelope: Envelope) -> None:
        """Publish and wait for the broker's confirm; raise PublishError when it does not come."""

    async def subscribe(self, consumer: str, handler: Handler) -> None:
        """Consume the consumer's queue with `handler`, acking only after it returns."""

    async def dead_letter_count(self, consumer: str) -> int:
        """How many messages wait in the consumer's dead-letter queue."""

    def health(self) -> BusHealth: ...

    async def close(self) -> None: ...
