"""Issue 26: with `<SERVICE>_METRICS_PORT` set, /metrics is served on that port only, and that
port serves nothing else. Over real HTTP: one uvicorn server listening on both free ports, as
`clinic_shared.serve.serve` runs it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI

from clinic_shared.auth import TokenVerifier
from clinic_shared.serve import listening_sockets, uvicorn_config
from clinic_shared.settings import ServiceSettings
from clinic_shared.web import create_app
from clinic_testing.helpers import free_port

PROBLEM = "application/problem+json"
router = APIRouter()


@router.post("/v1/notes", status_code=201)
async def add_note() -> dict[str, str]:
    return {"status": "added"}


class Runtime:
    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def readiness(self) -> tuple[bool, dict[str, object]]:
        return True, {}


def make_app(settings: ServiceSettings) -> FastAPI:
    return create_app(
        title="metrics port",
        runtime=Runtime(),
        verifier=TokenVerifier("metrics-port-test-secret-0123456789-abcdef"),
        routers=[router],
        metrics_port=settings.metrics_port,
    )


@pytest.fixture
async def ports() -> AsyncIterator[tuple[str, str]]:
    settings = ServiceSettings(port=free_port(), metrics_port=free_port())
    assert settings.metrics_port is not None
    config = uvicorn_config(make_app(settings), settings)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=listening_sockets(config, settings)))
    while not server.started:
        assert not task.done(), "the server stopped while starting"
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{settings.port}", f"http://127.0.0.1:{settings.metrics_port}"
    server.should_exit = True
    await task


async def test_metrics_are_served_on_their_own_port_only(ports: tuple[str, str]) -> None:
    service, metrics = ports
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{service}/healthz")).status_code == 200
        on_service = await client.get(f"{service}/metrics")
        assert on_service.status_code == 404
        assert on_service.headers["content-type"] == PROBLEM
        on_metrics = await client.get(f"{metrics}/metrics")
        assert on_metrics.status_code == 200
        # the request to /healthz above was counted, under its route template
        assert 'route="/healthz"' in on_metrics.text


async def test_the_metrics_port_serves_nothing_else(ports: tuple[str, str]) -> None:
    _, metrics = ports
    async with httpx.AsyncClient() as client:
        for method, path in (("GET", "/healthz"), ("GET", "/readyz"), ("POST", "/v1/notes")):
            answer = await client.request(method, f"{metrics}{path}", json={})
            assert answer.status_code == 404, (method, path)
            assert answer.headers["content-type"] == PROBLEM


async def test_without_the_setting_metrics_stay_on_the_service_port() -> None:
    app = make_app(ServiceSettings())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        assert (await client.get("/metrics")).status_code == 200
