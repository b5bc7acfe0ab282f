"""How messages leave: a small interface, one implementation per way out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from notifications.domain.policy import Channel


@dataclass(frozen=True)
class Attachment:
    """A file an email carries: a session's calendar invite (`.ics`)."""

    filename: str
    media_type: str  # "text/calendar"
    content: bytes
    params: tuple[tuple[str, str], ...] = ()  # of the content type: (("method", "REQUEST"),)


@dataclass(frozen=True)
class Outgoing:
    message_id: str
    channel: Channel
    to: str
    text: str
    subject: str | None = None
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Delivery:
    provider_id: str | None = None


class TransientSendError(Exception):
    """Worth trying again later: a timeout, a refused connection, a 5xx or a 429."""


class PermanentSendError(Exception):
    """Trying again cannot help: an invalid address or number, another 4xx."""


Handover = Callable[[], Awaitable[None]]
"""Called by a channel the moment the provider has the whole message, before its answer."""


async def no_handover() -> None:
    """For a send with nothing to record (a test's direct send)."""


class Sender(Protocol):
    async def send(self, outgoing: Outgoing, handed_over: Handover = no_handover) -> Delivery:
        """Hand the message over; raise TransientSendError or PermanentSendError when not.

        Call `handed_over()` right after the last byte of the message is written (SMTP's closing
        dot, the last byte of the SMS API request), while the provider's answer is awaited.
        Until that byte the provider keeps nothing: a process killed before it leaves an
        unfinished transfer that the provider drops, and the message is sent again safely.
        The dispatcher commits the hand-over, so a process killed after that commit has its
        message settled as sent, never sent again. Only a kill between the last byte and that
        commit can send a message twice: delivery stays at-least-once, never lost.
        """


Channels = Mapping[Channel, Sender]
