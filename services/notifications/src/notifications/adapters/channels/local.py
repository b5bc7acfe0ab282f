"""The embedded mode's way out: each message a file under var/outbox/, nothing sent."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from pathlib import Path

from notifications.adapters.channels import Delivery, Outgoing


class LocalOutbox:
    def __init__(self, directory: Path, sender_address: str) -> None:
        self._directory = directory
        self._from = sender_address

    async def send(self, outgoing: Outgoing) -> Delivery:
        """Write the message to `<id>.eml` or `<id>.sms.txt` (a retry overwrites it)."""
        if outgoing.channel == "email":
            path = self._directory / f"{outgoing.message_id}.eml"
            content = email_message(outgoing, self._from).as_bytes()
        else:
            path = self._directory / f"{outgoing.message_id}.sms.txt"
            content = f"To: {outgoing.to}\n\n{outgoing.text}\n".encode()
        await asyncio.to_thread(_write, path, content)
        return Delivery(provider_id=f"local-{outgoing.message_id}")


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(content)
    temporary.replace(path)


def email_message(outgoing: Outgoing, sender: str) -> EmailMessage:
    """A text and HTML email of `outgoing` from `sender`."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = outgoing.to
    message["Subject"] = outgoing.subject or ""
    message["Message-ID"] = f"<{outgoing.message_id}@notifications.clinic>"
    message.set_content(outgoing.text)
    if outgoing.html is not None:
        message.add_alternative(outgoing.html, subtype="html")
    return message
