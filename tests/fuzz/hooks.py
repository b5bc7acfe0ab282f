"""Schemathesis hooks (`SCHEMATHESIS_HOOKS=tests.fuzz.hooks`): sign the SMS webhooks' requests
the way the provider does, so the fuzzer reaches the handlers behind the signature check; and put
real ids into generated requests, so it reaches the handlers behind the "not found" checks.

Only a request that carries the signature header is signed; one generated without it (a negative
case) goes as it is and must be refused.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections import Counter
from collections.abc import Callable
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


Choose = Callable[[list[Any]], Any]  # a real value, or None to keep the generated one


def _known(case: Any) -> dict[str, list[Any]]:
    """The real values (`FUZZ_KNOWN_VALUES`: scheduling's run sets it) for a positive case; none
    for a negative one, whose invalid field must stay invalid."""
    known: dict[str, list[Any]] = json.loads(os.environ.get(KNOWN_ENV, "{}"))
    meta = getattr(case, "meta", None)
    if meta is not None and meta.generation.mode is not GenerationMode.POSITIVE:
        return {}
    return known


def _substitute(case: Any, known: dict[str, list[Any]], choose: Choose) -> Any:
    """Offer each field of `case` named in `known`, at any depth of the body, in the path and in
    the query, to `choose`; a real id there gets the request past the "not found" checks."""

    def replace(value: Any, name: str | None) -> Any:
        if isinstance(value, dict):
            return {key: replace(item, str(key)) for key, item in value.items()}
        if isinstance(value, list):
            return [replace(item, name) for item in value]
        if name is not None and known.get(name):
            chosen = choose([None, *known[name] * 3])  # mostly real
            return value if chosen is None else chosen
        return value

    if isinstance(case.body, dict):
        case.body = replace(case.body, None)
    if case.path_parameters:
        case.path_parameters = replace(case.path_parameters, None)
    if case.query:
        case.query = replace(case.query, None)
    return case


@schemathesis.hook
def flatmap_case(context: Any, case: Any) -> st.SearchStrategy[Any]:
    """Fuzzing and stateful phases: Hypothesis draws each choice, so the run stays deterministic."""
    known = _known(case)
    if not known:
        return st.just(case)

    @st.composite
    def substituted(draw: st.DrawFn) -> Any:
        return _substitute(case, known, lambda options: draw(st.sampled_from(options)))

    return substituted()


_COVERAGE_CASES: Counter[str] = Counter()


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """Coverage phase (no Hypothesis there): the choice is a hash of the operation, the case's
    rank in it and the field's, as deterministic (not of the case's values: some are uuid4s
    captured from earlier answers, new each run)."""
    known = _known(case)
    if not known:
        return case
    label = f"{case.operation.method.upper()} {case.operation.path}"
    rank = _COVERAGE_CASES[label]
    _COVERAGE_CASES[label] += 1
    fields = itertools.count()

    def choose(options: list[Any]) -> Any:
        digest = hashlib.sha256(f"{label}/{rank}/{next(fields)}".encode()).digest()
        return options[int.from_bytes(digest[:4], "big") % len(options)]

    return _substitute(case, known, choose)
