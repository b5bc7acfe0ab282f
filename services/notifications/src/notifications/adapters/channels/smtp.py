"""Email over SMTP (aiosmtplib): STARTTLS, implicit TLS or plain, text and HTML.

Connections are kept open and reused (one per concurrent send, up to `pool_size`), so a burst
of reminders pays the TCP and TLS handshakes once per connection, not once per email.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Literal

import aiosmtplib
from pydantic import SecretStr

from clinic_shared.logging import redact
from notifications.adapters.channels import (
    Delivery,
    Outgoing,
    PermanentSendError,
    TransientSendError,
)
from notifications.adapters.channels.local import email_message

Security = Literal["starttls", "tls", "none"]
STALE = 421  # "service closing transmission channel": try once more on a fresh connection


@dataclass(frozen=True)
class SmtpOptions:
    host: str
    port: int
    sender: str
    security: Security = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    ca_file: Path | None = None
    timeout_seconds: float = 10.0
    pool_size: int = 10


class SmtpChannel:
    def __init__(self, options: SmtpOptions) -> None:
        self._options = options
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(options.pool_size)

    async def send(self, outgoing: Outgoing) -> Delivery:
        """Hand the email to the SMTP server; a 5xx answer is permanent, anything else transient."""
        message = email_message(outgoing, self._options.sender)
        async with self._slots:
            reused = self._idle.pop() if self._idle else None
            try:
                client = await self._deliver(reused, message)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                codes = [r.code for r in exc.recipients]
                raise _by_code(min(codes, default=550), "recipient refused") from exc
            except aiosmtplib.SMTPResponseException as exc:
                raise _by_code(exc.code, exc.message) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                raise TransientSendError(f"SMTP unavailable: {type(exc).__name__}") from exc
            self._idle.append(client)
        return Delivery()

    async def _deliver(self, client: aiosmtplib.SMTP | None, message: Message) -> aiosmtplib.SMTP:
        """Send on `client`, or on a fresh connection when there is none or it went stale."""
        if client is not None:
            try:
                await client.send_message(message)
                return client
            except aiosmtplib.SMTPServerDisconnected:
                pass
            except aiosmtplib.SMTPResponseException as exc:
                if exc.code != STALE:
                    await _discard(client)
                    raise
            await _discard(client)
        client = await self._connect()
        try:
            await client.send_message(message)
        except BaseException:
            await _discard(client)
            raise
        return client

    async def _connect(self) -> aiosmtplib.SMTP:
        o = self._options
        client = aiosmtplib.SMTP(
            hostname=o.host,
            port=o.port,
            username=o.username,
            password=o.password.get_secret_value() if o.password else None,
            use_tls=o.security == "tls",
            start_tls=o.security == "starttls",
            cert_bundle=str(o.ca_file) if o.ca_file else None,
            timeout=o.timeout_seconds,
        )
        await client.connect()
        return client

    async def close(self) -> None:
        """Say goodbye on every idle connection."""
        while self._idle:
            await _discard(self._idle.pop())


async def _discard(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        if client.is_connected:
            await client.quit()
    client.close()


def _by_code(code: int, text: str) -> Exception:
    error = f"SMTP {code}: {redact(text[:200])}"  # servers quote the address back
    return PermanentSendError(error) if 500 <= code < 600 else TransientSendError(error)
