"""The HTTP shell every service shares: correlation ids, problem+json, health and readiness."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clinic_shared import crypto
from clinic_shared.auth import TokenVerifier
from clinic_shared.context import correlation_id_var, new_id
from clinic_shared.messaging import MessageBus
from clinic_shared.outbox.inbox import EventHandler
from clinic_shared.problems import install_problem_handlers, problem, unexpected_error
from clinic_shared.runtime import Seeder, ServiceRuntime, Worker
from clinic_shared.settings import ServiceSettings

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


def create_app(
    *,
    title: str,
    runtime: Readiness,
    verifier: TokenVerifier,
    routers: list[Any],
    description: str = "",
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.token_verifier = verifier
    app.state.runtime = runtime
    install_problem_handlers(app)
    app.add_middleware(CorrelationIdMiddleware)
    app.add_api_route("/healthz", _healthz, methods=["GET"], tags=["health"])
    app.add_api_route("/readyz", _readyz_for(runtime), methods=["GET"], tags=["health"])
    for router in routers:
        app.include_router(router)
    return app


async def _healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


def _readyz_for(runtime: Readiness) -> Callable[[], Awaitable[JSONResponse]]:
    async def readyz() -> JSONResponse:
        """Database reachable, broker connected, every consumer attached."""
        ready, checks = await runtime.readiness()
        if ready:
            return JSONResponse({"status": "ready", "checks": checks})
        return problem(
            503,
            "Service unavailable",
            "Not ready: " + ", ".join(k for k, v in checks.items() if v is False) + ".",
            slug="not-ready",
            instance="/readyz",
            checks=checks,
        )

    return readyz


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
    )
    verifier = TokenVerifier(settings.jwt_secret.get_secret_value(), settings.jwt_issuer)
    return create_app(
        title=title, description=description, runtime=runtime, verifier=verifier, routers=routers
    )
