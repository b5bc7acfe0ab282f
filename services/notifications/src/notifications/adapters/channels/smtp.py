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
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from aiosmtplib.response import SMTPResponse
from aiosmtplib.typing import Default, SMTPStatus
from pydantic import SecretStr

from clinic_shared.logging import redact
from notifications.adapters.channels import (
    Delivery,
    Handover,
    Outgoing,
    PermanentSendError,
    TransientSendError,
    no_handover,
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
        self._idle: list[HandingOverSMTP] = []
        self._slots = asyncio.Semaphore(options.pool_size)

    async def send(self, outgoing: Outgoing, handed_over: Handover = no_handover) -> Delivery:
        """Hand the email to the SMTP server; a 5xx answer is permanent, anything else transient.
        `handed_over` runs once DATA's closing dot is written, beside the wait for the answer."""
        message = email_message(outgoing, self._options.sender)
        async with self._slots:
            reused = self._idle.pop() if self._idle else None
            try:
                client = await self._deliver(reused, message, handed_over)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                codes = [r.code for r in exc.recipients]
                raise _by_code(min(codes, default=550), "recipient refused") from exc
            except aiosmtplib.SMTPResponseException as exc:
                raise _by_code(exc.code, exc.message) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                raise TransientSendError(f"SMTP unavailable: {type(exc).__name__}") from exc
            self._idle.append(client)
        return Delivery()

    async def _deliver(
        self, client: HandingOverSMTP | None, message: Message, handed_over: Handover
    ) -> HandingOverSMTP:
        """Send on `client`, or on a fresh connection when there is none or it went stale."""
        if client is not None:
            try:
                await client.send_handing_over(message, handed_over)
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
            await client.send_handing_over(message, handed_over)
        except BaseException:
            await _discard(client)
            raise
        return client

    async def _connect(self) -> HandingOverSMTP:
        o = self._options
        client = HandingOverSMTP(
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


async def _discard(client: HandingOverSMTP) -> None:
    with contextlib.suppress(Exception):
        if client.is_connected:
            await client.quit()
    client.close()


class HandingOverSMTP(aiosmtplib.SMTP):
    """aiosmtplib's client, whose DATA runs a hand-over callback once the closing dot is
    written, while the server's answer is awaited (so it costs no extra wait)."""

    _handed_over: Handover | None = None

    async def send_handing_over(self, message: Message, handed_over: Handover) -> None:
        self._handed_over = handed_over
        try:
            await self.send_message(message)
        finally:
            self._handed_over = None

    async def data(
        self,
        message: str | bytes,
        /,
        *,
        timeout: float | Literal[Default.token] | None = Default.token,  # noqa: ASYNC109 (aiosmtplib's signature)
    ) -> SMTPResponse:
        handed_over, protocol = self._handed_over, self.protocol
        if handed_over is None or protocol is None:
            return await super().data(message, timeout=timeout)
        seconds = self.timeout if timeout is Default.token else timeout
        raw = message.encode("ascii") if isinstance(message, str) else message
        content = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(raw))
        started = await self.execute_command(b"DATA", timeout=timeout)
        if started.code != SMTPStatus.start_input:
            raise aiosmtplib.SMTPDataError(started.code, started.message)
        protocol.write(content + b".\r\n")
        recording = asyncio.ensure_future(handed_over())
        try:
            response = await protocol.read_response(timeout=seconds)
        except BaseException:
            self.close()
            raise
        finally:
            await recording  # its failure is the send's: the dispatcher then tries again
        if response.code != SMTPStatus.completed:
            raise aiosmtplib.SMTPDataError(response.code, response.message)
        return response


def _by_code(code: int, text: str) -> Exception:
    error = f"SMTP {code}: {redact(text[:200])}"  # servers quote the address back
    return PermanentSendError(error) if 500 <= code < 600 else TransientSendError(error)
