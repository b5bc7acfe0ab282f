"""Email over SMTP (aiosmtplib): STARTTLS, implicit TLS or plain, text and HTML."""

from __future__ import annotations

from dataclasses import dataclass
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


class SmtpChannel:
    def __init__(self, options: SmtpOptions) -> None:
        self._options = options

    async def send(self, outgoing: Outgoing) -> Delivery:
        """Hand the email to the SMTP server; a 5xx answer is permanent, anything else transient."""
        o = self._options
        try:
            await aiosmtplib.send(
                email_message(outgoing, o.sender),
                hostname=o.host,
                port=o.port,
                username=o.username,
                password=o.password.get_secret_value() if o.password else None,
                use_tls=o.security == "tls",
                start_tls=o.security == "starttls",
                cert_bundle=str(o.ca_file) if o.ca_file else None,
                timeout=o.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise _by_code(min(codes, default=550), "recipient refused") from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _by_code(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TransientSendError(f"SMTP unavailable: {type(exc).__name__}") from exc
        return Delivery()


def _by_code(code: int, text: str) -> Exception:
    error = f"SMTP {code}: {redact(text[:200])}"  # servers quote the address back
    return PermanentSendError(error) if 500 <= code < 600 else TransientSendError(error)
