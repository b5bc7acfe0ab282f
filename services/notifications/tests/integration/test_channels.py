"""The SMTP and SMS channels against real servers: what is sent, and how failures are classed."""

from __future__ import annotations

import asyncio
import ssl
import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from clinic_testing.helpers import eventually
from notifications.adapters.channels import Outgoing, PermanentSendError, TransientSendError
from notifications.adapters.channels.smtp import SmtpChannel, SmtpOptions
from notifications.adapters.channels.twilio import TwilioChannel, TwilioOptions

from .servers import (
    SID,
    TOKEN,
    Mailbox,
    SmsApi,
    free_port,
    self_signed_certificate,
    sms_api_server,
    smtp_server,
)

EMAIL = Outgoing("m-1", "email", "amelia@example.com", "Hello\n", "Your session", "<p>Hello</p>")
SMS = Outgoing("m-2", "sms", "+33612345678", "Reply C to confirm or R to reschedule.")


def smtp(port: int, **options) -> SmtpChannel:
    values = {"security": "none", "timeout_seconds": 5.0} | options
    return SmtpChannel(SmtpOptions("127.0.0.1", port, "Clinic <clinic@example.com>", **values))


def twilio(url: str, token: str = TOKEN) -> TwilioChannel:
    return TwilioChannel(TwilioOptions(url, SID, SecretStr(token), "+33700000000", None, 5.0))


async def test_an_email_goes_with_text_and_html_parts() -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        await smtp(port).send(EMAIL)
    [(recipients, message)] = mailbox.received
    assert recipients == ["amelia@example.com"]
    assert message["Subject"] == "Your session"
    parts = {p.get_content_type(): p.get_payload(decode=True) for p in message.walk()}
    assert parts["text/plain"].strip() == b"Hello"
    assert parts["text/html"].strip() == b"<p>Hello</p>"


async def test_emails_share_a_connection_and_survive_a_server_restart() -> None:
    first, second = Mailbox(), Mailbox()
    with smtp_server(first) as port:
        channel = smtp(port)
        for _ in range(3):
            await channel.send(EMAIL)
    with smtp_server(second, port=port):  # the kept connection is now dead: a fresh one is made
        await channel.send(EMAIL)
        await channel.close()
    assert (len(first.received), first.greetings) == (3, 1)
    assert (len(second.received), second.greetings) == (1, 1)


async def test_an_email_goes_over_starttls_to_a_server_that_requires_it(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()
    with smtp_server(mailbox, tls_context=context, require_starttls=True) as port:
        await smtp(port, security="starttls", ca_file=cert).send(EMAIL)
        with pytest.raises(PermanentSendError):  # refused before STARTTLS: "530 Must issue..."
            await smtp(port, security="none").send(EMAIL)
    assert len(mailbox.received) == 1


async def test_smtp_refusals_are_permanent_deferrals_and_outages_transient() -> None:
    mailbox = Mailbox(refuse={"amelia@example.com"}, defer={"later@example.com"})
    with smtp_server(mailbox) as port:
        with pytest.raises(PermanentSendError, match="550"):
            await smtp(port).send(EMAIL)
        deferred = Outgoing("m-3", "email", "later@example.com", "Hi\n", "Subject")
        with pytest.raises(TransientSendError, match="451"):
            await smtp(port).send(deferred)
    with pytest.raises(TransientSendError):
        await smtp(free_port()).send(EMAIL)


async def test_an_sms_is_posted_to_the_messages_api_with_basic_auth() -> None:
    api = SmsApi()
    async with sms_api_server(api) as url:
        channel = twilio(url)
        delivery = await channel.send(SMS)
        await channel.close()
    assert api.received == [
        {"To": "+33612345678", "From": "+33700000000", "Body": SMS.text},
    ]
    assert delivery.provider_id == "SM" + "1".zfill(32)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, PermanentSendError),  # 21211 invalid number
        (429, TransientSendError),
        (503, TransientSendError),
    ],
)
async def test_sms_api_errors_are_classed_by_status(status: int, error: type[Exception]) -> None:
    refusal = {"code": 21211, "message": "The 'To' number +33612345678 is not valid."}
    api = SmsApi(answers=[(status, refusal)])
    async with sms_api_server(api) as url:
        channel = twilio(url)
        with pytest.raises(error) as raised:
            await channel.send(SMS)
        await channel.close()
    assert "612345678" not in str(raised.value)


async def test_a_wrong_token_is_permanent_and_an_unreachable_api_transient() -> None:
    async with sms_api_server(SmsApi()) as url:
        wrong = twilio(url, token="wrong")
        with pytest.raises(PermanentSendError, match="401"):
            await wrong.send(SMS)
        await wrong.close()
    down = twilio(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TransientSendError):
        await down.send(SMS)
    await down.close()


async def test_an_email_is_handed_over_once_the_server_has_it_and_before_its_answer() -> None:
    """The dispatcher commits the hand-over then: a process killed before the closing dot left
    the server nothing to keep; one killed after the commit has its email settled as sent."""
    mailbox = Mailbox(answer=threading.Event())
    seen: list[int] = []

    async def handed_over() -> None:
        await eventually(lambda: _count(mailbox.received), timeout=5)  # the server has it...
        seen.append(len(mailbox.received))
        mailbox.answer.set()  # ...and has not answered yet: it answers only now

    with smtp_server(mailbox) as port:
        channel = smtp(port)
        await channel.send(EMAIL, handed_over)
        await channel.close()
    assert seen == [1]
    assert len(mailbox.received) == 1


async def test_an_sms_is_handed_over_once_the_api_has_it_and_before_its_answer() -> None:
    api = SmsApi(answer=asyncio.Event())
    seen: list[int] = []

    async def handed_over() -> None:
        await eventually(lambda: _count(api.received), timeout=5)
        seen.append(len(api.received))
        api.answer.set()

    async with sms_api_server(api) as url:
        channel = twilio(url)
        delivery = await channel.send(SMS, handed_over)
        await channel.close()
    assert seen == [1]
    assert delivery.provider_id == "SM" + "1".zfill(32)


async def _count(received: list[Any]) -> int:
    return len(received)
