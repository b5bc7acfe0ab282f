"""The bus: one interface, a RabbitMQ and an in-memory implementation."""

from __future__ import annotations

from clinic_shared.messaging.bus import (
    BusHealth,
    BusOptions,
    Handler,
    MessageBus,
    PublishError,
    UnroutableError,
)
from clinic_shared.messaging.memory import InMemoryBus

__all__ = [
    "BusHealth",
    "BusOptions",
    "Handler",
    "InMemoryBus",
    "MessageBus",
    "PublishError",
    "UnroutableError",
]
