"""Issue 28: the edges an attacker reaches first. Bodies are authenticated before they are
read and capped; every answer carries the security headers; X-Forwarded-For is believed only
from configured proxies. Over real HTTP (uvicorn on a free port) where reading matters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clinic_shared.auth import Principal, Role, TokenVerifier, mint_token, require_roles
from clinic_shared.serve import uvicorn_config
from clinic_shared.settings import ServiceSettings
from clinic_shared.web import create_app
from clinic_testing.helpers import free_port

SECRET = "edge-test-secret-0123456789-abcdefghijklmnop"
PROBLEM = "application/problem+json"
CAP = 64 * 1024
HUGE = 19 * 1024 * 1024  # the review's anonymous body
CHUNK = 64 * 1024


class Runtime:
    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        return True, {}


class Note(BaseModel):
    text: str


router = APIRouter()
received: list[int] = []


@router.post("/v1/notes", status_code=201)
async def add_note(
    body: Note, _: Annotated[Principal, Depends(require_roles(Role.ADMIN))]
) -> dict[str, int]:
    received.append(len(body.text))
    return {"length": len(body.text)}


@router.post("/v1/webhooks/ping")
async def webhook(body: Note) -> dict[str, int]:
    """A route that takes a body and asks for no token, as the SMS provider's webhooks."""
    return {"length": len(body.text)}


@router.get("/v1/whoami")
async def whoami(request: Request) -> dict[str, str]:
    assert request.client is not None
    return {"address": request.client.host}


pulled: list[int] = []  # body bytes the app took from the server, per request


class CountBodyBytes:
    """Outside every layer of the app: how many body bytes the app asked the server for."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        pulled.append(0)

        async def counted() -> Message:
            message = await receive()
            pulled[-1] += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


def make_app() -> FastAPI:
    app = create_app(
        title="edges",
        runtime=Runtime(),
        verifier=TokenVerifier(SECRET),
        routers=[router],
        max_body_bytes=CAP,
    )
    app.add_middleware(CountBodyBytes)
    return app


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(SECRET, role=Role.ADMIN, subject='u1')}"}


class Upload:
    """A chunked body of `size` bytes of one JSON document, counting what was sent."""

    def __init__(self, size: int) -> None:
        self.size, self.sent = size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"text": "'
        while self.sent < self.size:
            self.sent += CHUNK
            yield b"x" * CHUNK
        yield b'"}'


async def _serve(app: FastAPI, **settings: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    port = free_port()
    config = uvicorn_config(app, ServiceSettings(port=port, **settings))
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server stopped while starting"
        await asyncio.sleep(0.02)
    return server, task, f"http://127.0.0.1:{port}"


@pytest.fixture
async def served() -> AsyncIterator[str]:
    server, task, url = await _serve(make_app())
    yield url
    server.should_exit = True
    await task


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


async def test_an_anonymous_body_is_refused_before_it_is_read(served: str) -> None:
    upload = Upload(HUGE)
    before = _rss_bytes()
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{served}/v1/notes", content=upload)
    body = assert_problem(response, 401)
    assert "Bearer" in body["detail"]
    # The app took none of the 19 MB (the server drops what it is sent after the answer), and
    # the process did not grow by anything like its size.
    assert pulled[-1] == 0
    assert _rss_bytes() - before < 8 * 1024 * 1024
    assert received == []


async def test_a_body_declared_larger_than_the_cap_gets_413_before_it_is_read(served: str) -> None:
    upload = Upload(HUGE)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{served}/v1/notes",
            content=upload,
            headers={**admin(), "Content-Length": str(HUGE + 12)},
        )
    body = assert_problem(response, 413)
    assert body["max_bytes"] == CAP
    assert pulled[-1] == 0
    assert received == []


async def test_a_streamed_body_past_the_cap_gets_413_and_no_more_is_held(served: str) -> None:
    upload = Upload(HUGE)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{served}/v1/notes", content=upload, headers=admin())
    assert_problem(response, 413)
    assert CAP < pulled[-1] <= CAP + 2 * CHUNK  # read up to the cap, and no further
    assert received == []


async def test_bodies_under_the_cap_pass_with_a_token_and_on_public_routes(served: str) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        created = await client.post(f"{served}/v1/notes", json={"text": "ok"}, headers=admin())
        webhook = await client.post(f"{served}/v1/webhooks/ping", json={"text": "ping"})
        too_big = await client.post(f"{served}/v1/webhooks/ping", json={"text": "x" * CAP})
    assert created.status_code == 201
    assert created.json() == {"length": 2}
    assert webhook.json() == {"length": 4}
    assert_problem(too_big, 413)  # a public route is capped too


async def test_a_bad_token_is_refused_before_the_body_whatever_the_body(served: str) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{served}/v1/notes",
            content=b"\xff\xfe not json at all",
            headers={
                "Authorization": "Bearer forged.token.here",
                "Content-Type": "application/json",
            },
        )
    assert assert_problem(response, 401)["detail"] == "The token is invalid."


@pytest.mark.parametrize(("trusted", "seen"), [("", "127.0.0.1"), ("127.0.0.1", "203.0.113.7")])
async def test_x_forwarded_for_is_believed_only_from_configured_proxies(
    trusted: str, seen: str
) -> None:
    server, task, url = await _serve(make_app(), forwarded_allow_ips=trusted)
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"{url}/v1/whoami", headers={"X-Forwarded-For": "203.0.113.7"}
            )
    finally:
        server.should_exit = True
        await task
    assert response.json() == {"address": seen}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=make_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://clinic.test") as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("GET", "/readyz", 200),
        ("GET", "/v1/nowhere", 404),
        ("POST", "/v1/notes", 401),
        ("GET", "/openapi.json", 200),
    ],
)
async def test_every_answer_carries_the_security_headers(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path, json={"text": "x"})
    assert response.status_code == status
    assert response.headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["permissions-policy"] == "camera=(), microphone=(), geolocation=()"
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers  # plain HTTP


async def test_the_docs_page_keeps_its_own_policy_and_is_never_framed(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert policy.startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in policy
    assert response.headers.get_list("content-security-policy") == [policy]  # not two


async def test_hsts_over_tls() -> None:
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="https://clinic.test") as client:
        response = await client.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_a_connection_idle_as_long_as_a_client_pool_keeps_it_is_still_served(
    served: str,
) -> None:
    """A client's pool (httpx's keeps a connection 5 s) reuses an idle connection; the server
    must not be closing it at that moment. At uvicorn's default (5 s) the second request below
    found the connection closed, and a booking in CI failed with a ReadError."""
    port = int(served.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = b"GET /v1/whoami HTTP/1.1\r\nHost: clinic\r\n\r\n"
    try:
        for attempt in range(2):
            if attempt:
                await asyncio.sleep(5.5)  # past httpx's 5 s and uvicorn's default
            writer.write(request)
            await writer.drain()
            status = await asyncio.wait_for(reader.readline(), 10)
            assert status.startswith(b"HTTP/1.1 200"), (attempt, status)
            headers = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).lower()
            length = int(headers.split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
    finally:
        writer.close()
