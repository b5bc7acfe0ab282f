"""Schemathesis hooks (`SCHEMATHESIS_HOOKS=tests.fuzz.hooks`): sign the SMS webhooks' requests
the way the provider does, so the fuzzer reaches the handlers behind the signature check.

Only a request that carries the signature header is signed; one generated without it (a negative
case) goes as it is and must be refused.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

from notifications.domain.signature import twilio_signature

TOKEN_ENV = "FUZZ_SMS_AUTH_TOKEN"
BASE_URL_ENV = "FUZZ_BASE_URL"
SIGNATURE = "X-Twilio-Signature"


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    token, base_url = os.environ.get(TOKEN_ENV), os.environ.get(BASE_URL_ENV)
    headers = case.headers or {}
    if token is None or base_url is None or SIGNATURE not in headers:
        return
    body = case.body if isinstance(case.body, dict) else {}
    params = {str(name): str(value) for name, value in body.items()}
    headers[SIGNATURE] = twilio_signature(token, base_url.rstrip("/") + case.path, params)
    case.headers = headers
