"""The HTTP shell every service shares: correlation ids, problem+json, health and readiness."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clinic_shared import crypto, tracing
from clinic_shared.auth import TokenVerifier, bearer_token
from clinic_shared.context import correlation_id_var, new_id
from clinic_shared.docs import install_docs
from clinic_shared.edges import API_POLICY, STATIC, MetricsPort, RequestGuard, SecurityHeaders
from clinic_shared.errors import Unauthorized
from clinic_shared.messaging import MessageBus
from clinic_shared.metrics import (
    HttpMetricsMiddleware,
    ServiceMetrics,
    StateGauge,
    metrics_endpoint,
)
from clinic_shared.openapi_links import add_links
from clinic_shared.openapi_security import add_security
from clinic_shared.outbox.inbox import EventHandler
from clinic_shared.problems import (
    ERROR_RESPONSES,
    install_problem_handlers,
    problem,
    unexpected_error,
)
from clinic_shared.runtime import Seeder, ServiceRuntime, Worker
from clinic_shared.settings import DEFAULT_MAX_BODY_BYTES, ServiceSettings

CORRELATION_HEADER = "x-correlation-id"


class Readiness(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def readiness(self) -> tuple[bool, dict[str, Any]]: ...


class CorrelationIdMiddleware:
    """Take the caller's X-Correlation-ID (or make one), keep it for the request, echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(CORRELATION_HEADER.encode(), b"").decode("latin-1")
        corr = incoming if 0 < len(incoming) <= 100 and incoming.isprintable() else new_id()
        token = correlation_id_var.set(corr)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"].append((CORRELATION_HEADER.encode(), corr.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # Answer here rather than in Starlette's outermost handler, which runs after this
            # middleware has left the request's context: the 500 keeps its correlation id.
            if started:
                raise
            response = await unexpected_error(Request(scope), exc)
            await response(scope, receive, send_with_id)
        finally:
            correlation_id_var.reset(token)


def _unstorable(value: str) -> str | None:
    """Why PostgreSQL could not store this text, or None if it can."""
    if "\x00" in value:
        return "must not contain the NUL character (\\u0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode (a lone surrogate such as \\ud800 is not)"
    return None


def _strings(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, (*loc, str(key)))
            yield from _strings(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*loc, index))


async def refuse_unstorable_text(request: Request) -> None:
    """A 422 naming the field for text no database can hold (NUL, lone surrogates), on every
    route, before any handler sees it: otherwise it surfaces as a 500 from the driver."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    found += _strings(dict(request.path_params), ("path",))
    for name, text in request.query_params.multi_items():
        found += _strings(text, ("query", name))
    if "json" in request.headers.get("content-type", ""):
        try:
            body = await request.json()  # FastAPI parsed it already: this reads its cache
        except ValueError:
            body = None  # FastAPI itself answers a body that is not JSON
        found += _strings(body, ("body",))
    errors = [
        {"type": "value_error", "loc": loc, "msg": reason, "input": None}
        for loc, text in found
        if (reason := _unstorable(text)) is not None
    ]
    if errors:
        raise RequestValidationError(errors)


def create_app(
    *,
    title: str,
    runtime: Readiness,
    verifier: TokenVerifier,
    routers: list[Any],
    description: str = "",
    metrics: ServiceMetrics | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    body_limits: Mapping[str, int] | None = None,
    content_security_policy: str = API_POLICY,
    count_requests: bool = True,
    unstamped: tuple[str, ...] = (STATIC,),
    metrics_port: int | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
        dependencies=[Depends(refuse_unstorable_text)],
        docs_url=None,  # served offline by clinic_shared.docs
        redoc_url=None,
    )
    install_docs(app)
    app.state.token_verifier = verifier
    app.state.runtime = runtime
    app.state.metrics = metrics or ServiceMetrics()
    install_problem_handlers(app)
    # The last added runs first: headers on every answer, then metrics, the correlation id,
    # and the guard, whose 401 and 413 are counted and carry the correlation id.
    app.add_middleware(
        RequestGuard, fastapi_app=app, max_body_bytes=max_body_bytes, body_limits=body_limits
    )
    app.add_middleware(CorrelationIdMiddleware)
    if count_requests:
        app.add_middleware(HttpMetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(
        SecurityHeaders, content_security_policy=content_security_policy, unstamped=unstamped
    )
    if metrics_port is not None:
        app.add_middleware(MetricsPort, fastapi_app=app, metrics_port=metrics_port)
    app.add_api_route("/healthz", _healthz, methods=["GET"], tags=["health"])
    app.add_api_route(
        "/metrics", metrics_endpoint, methods=["GET"], tags=["health"], include_in_schema=False
    )
    app.add_api_route("/readyz", _readyz_for(runtime), methods=["GET"], tags=["health"])
    for router in routers:
        app.include_router(router)
    if (provider := getattr(runtime, "tracer_provider", None)) is not None:
        tracing.instrument_app(app, provider)
    _link_creates_to_reads(app)
    return app


def _link_creates_to_reads(app: FastAPI) -> None:
    """Serve the OpenAPI with links from each create to the routes of what it created, and the
    bearer token (with the roles it must carry) on every operation that needs one."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_security(app, add_links(generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


async def _healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


def _readyz_for(runtime: Readiness) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def readyz(request: Request) -> JSONResponse:
        """Database reachable, broker connected, every consumer attached: up or down for
        anyone (a load balancer's probe); which checks and the outbox and dead-letter counts
        only for a caller with a valid token (any role), or on /metrics."""
        ready, checks = await runtime.readiness()
        detailed = _has_valid_token(request)
        if ready:
            return JSONResponse({"status": "ready", **({"checks": checks} if detailed else {})})
        if not detailed:
            return problem(
                503, "Service unavailable", "Not ready.", slug="not-ready", instance="/readyz"
            )
        return problem(
            503,
            "Service unavailable",
            "Not ready: " + ", ".join(k for k, v in checks.items() if v is False) + ".",
            slug="not-ready",
            instance="/readyz",
            checks=checks,
        )

    return readyz


def _has_valid_token(request: Request) -> bool:
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        verifier.verify(bearer_token(request))
    except Unauthorized:
        return False
    return True


def build_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    metadata: sa.MetaData,
    migrations_location: str,
    routers: list[Any],
    handlers: Mapping[str, EventHandler] | None = None,
    seed: Seeder | None = None,
    bus: MessageBus | None = None,
    workers: Sequence[Worker] = (),
    state_gauges: Sequence[StateGauge] = (),
) -> FastAPI:
    """A service's app with its runtime (database, bus, relay, consumer) wired from settings."""
    crypto.install(settings.keyring())
    runtime = ServiceRuntime(
        settings=settings,
        metadata=metadata,
        migrations_location=migrations_location,
        handlers=handlers or {},
        bus=bus,
        seed=seed,
        workers=workers,
        state_gauges=state_gauges,
    )
    verifier = TokenVerifier(
        settings.jwt_secret.get_secret_value(),
        settings.jwt_issuer,
        max_lifetime_seconds=settings.jwt_max_lifetime_seconds,
    )
    return create_app(
        title=title,
        description=description,
        runtime=runtime,
        verifier=verifier,
        routers=routers,
        metrics=runtime.metrics,
        max_body_bytes=settings.max_body_bytes,
        count_requests=settings.metrics_enabled,
        metrics_port=settings.metrics_port,
    )
