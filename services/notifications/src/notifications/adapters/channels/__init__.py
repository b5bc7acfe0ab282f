"""How messages leave: a small interface, one implementation per way out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from notifications.domain.policy import Channel


@dataclass(frozen=True)
class Outgoing:
    message_id: str
    channel: Channel
    to: str
    text: str
    subject: str | None = None
    html: str | None = None


@dataclass(frozen=True)
class Delivery:
    provider_id: str | None = None


class TransientSendError(Exception):
    """Worth trying again later: a timeout, a refused connection, a 5xx or a 429."""


class PermanentSendError(Exception):
    """Trying again cannot help: an invalid address or number, another 4xx."""


class Sender(Protocol):
    async def send(self, outgoing: Outgoing) -> Delivery:
        """Hand the message over; raise TransientSendError or PermanentSendError when not."""


Channels = Mapping[Channel, Sender]
