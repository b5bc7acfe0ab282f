"""Schemathesis hooks (`SCHEMATHESIS_HOOKS=tests.fuzz.hooks`): sign the SMS webhooks' requests
the way the provider does, so the fuzzer reaches the handlers behind the signature check; and put
real ids into generated requests, so it reaches the handlers behind the "not found" checks.

Only a request that carries the signature header is signed; one generated without it (a negative
case) goes as it is and must be refused.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode

from notifications.domain.signature import twilio_signature

TOKEN_ENV = "FUZZ_SMS_AUTH_TOKEN"
BASE_URL_ENV = "FUZZ_BASE_URL"
SIGNATURE = "X-Twilio-Signature"
KNOWN_ENV = "FUZZ_KNOWN_VALUES"  # JSON: field name -> real values to use instead of generated


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


@schemathesis.hook
def flatmap_case(context: Any, case: Any) -> st.SearchStrategy[Any]:
    """Put a real id (or free slot) in place of a generated one most of the time, at any depth of
    the body, in the path and in the query (`FUZZ_KNOWN_VALUES`: scheduling's run sets it).

    Only in positive cases: a negative case's invalid field must stay invalid. Hypothesis draws
    each choice, so a deterministic run stays deterministic.
    """
    known: dict[str, list[Any]] = json.loads(os.environ.get(KNOWN_ENV, "{}"))
    meta = getattr(case, "meta", None)
    if not known or (meta is not None and meta.generation.mode is not GenerationMode.POSITIVE):
        return st.just(case)
    return _with_known(case, known)


@st.composite
def _with_known(draw: st.DrawFn, case: Any, known: dict[str, list[Any]]) -> Any:
    def replace(value: Any, name: str | None) -> Any:
        if isinstance(value, dict):
            return {key: replace(item, str(key)) for key, item in value.items()}
        if isinstance(value, list):
            return [replace(item, name) for item in value]
        if name is not None and known.get(name):
            chosen = draw(st.sampled_from([None, *known[name] * 3]))  # None keeps the generated
            return value if chosen is None else chosen
        return value

    if isinstance(case.body, dict):
        case.body = replace(case.body, None)
    if case.path_parameters:
        case.path_parameters = replace(case.path_parameters, None)
    if case.query:
        case.query = replace(case.query, None)
    return case
