"""What every answer and every request body meets at the edge, before any route runs (issue 28).

- **Authentication before the body.** FastAPI reads and parses a JSON body before it solves a
  route's dependencies, so an anonymous caller could make a service parse megabytes before its
  401. `RequestGuard` checks the bearer token of a request that carries a body first, and answers
  401 without reading it, when the route it is for asks for a token (the SMS provider's
  webhooks ask for none: they check the provider's signature, which needs the body).
- **A cap on bodies.** A body larger than its route's cap is refused with 413 problem+json:
  at once when its Content-Length says so, and while it streams when it does not, so no more
  than the cap is ever held. The app-wide text check (`web.refuse_unstorable_text`) walks only
  a body under the cap.
- **Security headers** on every answer, HTML or JSON: no framing, no sniffing, no referrer
  beyond the origin, HSTS over TLS, and `Cache-Control: no-store` (answers carry patient data).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request, routing
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clinic_shared.auth import TokenVerifier, bearer_token
from clinic_shared.errors import Unauthorized
from clinic_shared.openapi_security import roles_of
from clinic_shared.problems import problem
from clinic_shared.settings import DEFAULT_MAX_BODY_BYTES

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyTooLarge(HTTPException):
    """Raised while a body streams past its cap; FastAPI lets an HTTPException raised while it
    reads the body through, and the problem handlers answer it as 413 problem+json."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


def _too_large(limit: int, path: str) -> JSONResponse:
    return problem(
        413,
        "Content too large",
        f"The request body is larger than {limit} bytes.",
        slug="content-too-large",
        instance=path,
        max_bytes=limit,
    )


class RequestGuard:
    """Authenticate before the body is read, and cap the body (see the module's docstring).

    `body_limits` maps a path prefix to its own cap, for a route that takes more or less than
    the app's `max_body_bytes`; the longest matching prefix wins.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        fastapi_app: FastAPI,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        body_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self._fastapi_app = fastapi_app
        self._max = max_body_bytes
        self._limits = sorted((body_limits or {}).items(), key=lambda item: -len(item[0]))
        self._protected: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self._limits if path.startswith(prefix)), self._max)

    def _needs_token(self, path: str, method: str) -> bool:
        if self._protected is None:  # the routes are all included by the first request
            self._protected = list(body_routes_with_roles(self._fastapi_app))
        return any(method in methods and regex.match(path) for regex, methods in self._protected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path, limit = scope["path"], self.limit_for(scope["path"])
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit, path)(scope, receive, send)
            return
        if self._needs_token(path, scope["method"]):
            verifier: TokenVerifier = self._fastapi_app.state.token_verifier
            try:
                verifier.verify(bearer_token(request))
            except Unauthorized as exc:
                # Answered by the app's own handler, as the route's dependency would have been.
                handler = _handler_for(self._fastapi_app, exc)
                await (await handler(request, exc))(scope, receive, send)
                return
        received = 0

        async def capped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, capped, send)


class MetricsPort:
    """With `<SERVICE>_METRICS_PORT` set, the process listens on a second port that serves
    `/metrics` and nothing else, while the service's own port no longer serves it: in
    production the metrics stay off the ingress however it is routed, and a NetworkPolicy lets
    only Prometheus reach them. Anything else is a 404 problem, answered before any other
    middleware (no token asked, no body read). The port a request came in on is the ASGI
    `server` of its connection's socket (`serve.listening_sockets`).
    """

    def __init__(self, app: ASGIApp, *, fastapi_app: FastAPI, metrics_port: int) -> None:
        self.app = app
        self._fastapi_app = fastapi_app
        self._port = metrics_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            server = scope.get("server") or (None, None)
            on_metrics_port = server[1] == self._port
            if on_metrics_port != (scope["path"] == "/metrics"):
                request, exc = Request(scope), HTTPException(404)
                handler = _handler_for(self._fastapi_app, exc)
                await (await handler(request, exc))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _handler_for(app: FastAPI, exc: Exception) -> Any:
    """The app's exception handler for `exc` (its class's, or the nearest base class's)."""
    return next(
        app.exception_handlers[cls] for cls in type(exc).__mro__ if cls in app.exception_handlers
    )


def body_routes_with_roles(app: FastAPI) -> Iterable[tuple[re.Pattern[str], frozenset[str]]]:
    """The routes that may take a body and ask for a token: their path pattern and methods.
    (A request that matches none is answered by the app: a public route such as the SMS
    provider's webhooks reads its body, a 404 or 405 reads none.)"""
    for route in routing.iter_route_contexts(app.routes):
        dependant, path = getattr(route, "dependant", None), getattr(route, "path", None)
        methods = frozenset(getattr(route, "methods", None) or ()) & BODY_METHODS
        if dependant is None or path is None or not methods or roles_of(dependant) is None:
            continue
        regex, _, _ = compile_path(path)
        yield regex, methods


API_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""An API answer is never a page: it may load nothing and be framed by nothing."""
PAGES_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
"""For an app that serves pages (the dashboard, which serves every script, style and font
itself): its own origin only (and inline images), no inline script, never framed, forms
posted only to itself."""
STATIC = "/static/"
"""Versioned assets (`htmx-2.0.11.min.js`): cacheable, unlike every answer with data."""
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"x-frame-options", b"DENY"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """The usual security headers on every answer; `Cache-Control: no-store` unless the route
    set its own; HSTS when the request came over TLS. The Content-Security-Policy is the API's
    (`API_POLICY`), or an app's own for the pages it serves; a route that sets its own (the docs
    pages, `clinic_shared.docs`) keeps it.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        content_security_policy: str = API_POLICY,
        unstamped: tuple[str, ...] = (STATIC,),
    ) -> None:
        self.app = app
        self._unstamped = unstamped  # paths whose answers get no Cache-Control from here
        self._policy = (b"content-security-policy", content_security_policy.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_tls = scope.get("scheme") == "https"
        policy = self._policy

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in (policy, *SECURITY_HEADERS) if h[0] not in present)
                if b"cache-control" not in present and not scope["path"].startswith(
                    self._unstamped
                ):
                    headers.append((b"cache-control", b"no-store"))
                if over_tls:
                    headers.append(HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)
