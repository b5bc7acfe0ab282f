"""The embedded mode's way out: each message a file under var/outbox/, nothing sent."""

from __future__ import annotations

import asyncio
from email import encoders
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr
from pathlib import Path

from notifications.adapters.channels import (
    Attachment,
    Delivery,
    Handover,
    Outgoing,
    PermanentSendError,
    no_handover,
)

UTF8_QP = Charset("utf-8")
UTF8_QP.body_encoding = QP  # readable bodies in the outbox files and on the wire


class LocalOutbox:
    """`undeliverable`: phone numbers (E.164) whose SMS it refuses as a carrier refuses a number
    not in service, so that a failed SMS can be seen and handled without a carrier (the living
    demo clinic of `make run` has one)."""

    def __init__(
        self, directory: Path, sender_address: str, undeliverable: frozenset[str] = frozenset()
    ) -> None:
        self._directory = directory
        self._from = sender_address
        self._undeliverable = undeliverable

    async def send(self, outgoing: Outgoing, handed_over: Handover = no_handover) -> Delivery:
        """Write the message to `<id>.eml` or `<id>.sms.txt` (a retry overwrites it)."""
        if outgoing.channel == "sms" and outgoing.to in self._undeliverable:
            raise PermanentSendError("the number is not in service (a local outbox refusal)")
        if outgoing.channel == "email":
            path = self._directory / f"{outgoing.message_id}.eml"
            content = email_message(outgoing, self._from).as_bytes()
        else:
            path = self._directory / f"{outgoing.message_id}.sms.txt"
            content = f"To: {outgoing.to}\n\n{outgoing.text}\n".encode()
        await asyncio.to_thread(_write, path, content)
        await handed_over()
        return Delivery(provider_id=f"local-{outgoing.message_id}")


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(content)
    temporary.replace(path)


def email_message(outgoing: Outgoing, sender: str) -> Message:
    """A text and HTML email of `outgoing` from `sender`.

    Built with the compat32 MIME classes: the modern EmailMessage API parses and refolds every
    header and cost more CPU than the rest of a dispatch together.
    """
    # A Charset is accepted since Python 3.6; typeshed still says str.
    text = MIMEText(outgoing.text, "plain", UTF8_QP)  # type: ignore[arg-type]
    if outgoing.html is None:
        message: Message = text
    else:
        message = MIMEMultipart("alternative")
        message.attach(text)
        message.attach(MIMEText(outgoing.html, "html", UTF8_QP))  # type: ignore[arg-type]
    if outgoing.attachments:
        body, message = message, MIMEMultipart("mixed")
        message.attach(body)
        for attachment in outgoing.attachments:
            message.attach(_attached(attachment))
    name, address = parseaddr(sender)
    message["From"] = formataddr((name, address), charset="utf-8")
    message["To"] = outgoing.to
    subject = outgoing.subject or ""
    message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    message["Message-ID"] = f"<{outgoing.message_id}@notifications.clinic>"
    return message


def _attached(attachment: Attachment) -> Message:
    """A base64 part (an `.ics` keeps its CRLF line ends as RFC 5545 wants them)."""
    main, sub = attachment.media_type.split("/", 1)
    part = MIMEBase(main, sub)
    for name, value in (("charset", "utf-8"), *attachment.params):
        part.set_param(name, value)
    part.set_payload(attachment.content)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part
