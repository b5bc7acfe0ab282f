"""SMS over a Twilio-compatible REST API (httpx)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
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


@dataclass(frozen=True)
class TwilioOptions:
    api_url: str
    account_sid: str
    auth_token: SecretStr
    sender: str
    status_callback_url: str | None = None
    timeout_seconds: float = 10.0


class TwilioChannel:
    def __init__(self, options: TwilioOptions, client: httpx.AsyncClient | None = None) -> None:
        self._options = options
        self._client = client or httpx.AsyncClient(timeout=options.timeout_seconds)

    async def send(self, outgoing: Outgoing, handed_over: Handover = no_handover) -> Delivery:
        """POST the message; 429 and 5xx are transient, other 4xx (a bad number) permanent.
        `handed_over` runs once the request's last byte is written, beside the wait for the
        answer (the API cannot act on a body shorter than its Content-Length)."""
        o = self._options
        form = {"To": outgoing.to, "From": o.sender, "Body": outgoing.text}
        if o.status_callback_url:
            form["StatusCallback"] = o.status_callback_url
        url = f"{o.api_url.rstrip('/')}/2010-04-01/Accounts/{o.account_sid}/Messages.json"
        body = urlencode(form).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body)),
        }
        recording: asyncio.Future[None] | None = None

        async def content() -> AsyncIterator[bytes]:
            nonlocal recording
            yield body
            recording = asyncio.ensure_future(handed_over())  # the body is written

        try:
            response = await self._client.post(
                url,
                content=content(),
                headers=headers,
                auth=(o.account_sid, o.auth_token.get_secret_value()),
            )
        except httpx.HTTPError as exc:
            raise TransientSendError(f"SMS API unreachable: {type(exc).__name__}") from exc
        finally:
            if recording is not None:
                await recording
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientSendError(f"SMS API answered {response.status_code}")
        if response.status_code >= 400:
            raise PermanentSendError(f"SMS API refused: {_error_of(response)}")
        return Delivery(provider_id=str(response.json()["sid"]))

    async def close(self) -> None:
        await self._client.aclose()


def _error_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return str(response.status_code)
    message = redact(str(body.get("message", ""))[:200])  # providers quote the number back
    return f"{response.status_code} {body.get('code', '')} {message}"
