"""Every error a client sees is RFC 9457 problem+json with the request's correlation id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError

from clinic_shared.auth import Principal, Role, TokenVerifier, mint_token, require_roles
from clinic_shared.errors import Conflict
from clinic_shared.web import create_app

SECRET = "unit-test-secret-0123456789-abcdefghijklmnop"
PROBLEM = "application/problem+json"
LEAKY_MESSAGE = "connection to db at 10.1.2.3 failed password=hunter2"


class DummyRuntime:
    def __init__(self) -> None:
        self.ready = True
        self.checks: dict[str, Any] = {"database": True, "broker": True}

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        return self.ready, self.checks


class NewPatient(BaseModel):
    first_name: str = Field(min_length=1)
    age: int = Field(ge=0)
    phone: str | None = None


router = APIRouter()


@router.get("/admin/report")
async def admin_report(
    principal: Annotated[Principal, Depends(require_roles(Role.ADMIN))],
) -> dict[str, str]:
    return {"subject": principal.subject, "role": principal.role.value}


@router.post("/patients", status_code=201)
async def create_patient(body: NewPatient) -> dict[str, str]:
    return {"first_name": body.first_name}


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError(LEAKY_MESSAGE)


@router.get("/conflict")
async def conflict() -> None:
    raise Conflict("The slot is taken.", slot="09:00")


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


@router.get("/db/{sqlstate}")
async def database_error(sqlstate: str) -> None:
    raise DBAPIError("UPDATE lots ...", {}, _PgError(sqlstate))


@pytest.fixture
def runtime() -> DummyRuntime:
    return DummyRuntime()


@pytest.fixture
def app(runtime: DummyRuntime) -> FastAPI:
    return create_app(
        title="test", runtime=runtime, verifier=TokenVerifier(SECRET), routers=[router]
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions=False: Starlette re-raises unhandled errors after answering 500.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://clinic.test") as client:
        yield client


def bearer(role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(SECRET, role=role, subject='u1')}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://errors.clinic.example/")
    assert {"title", "detail", "instance"} <= body.keys()
    return body


async def test_admin_token_reaches_the_admin_endpoint(client: httpx.AsyncClient) -> None:
    response = await client.get("/admin/report", headers=bearer(Role.ADMIN))
    assert response.status_code == 200
    assert response.json() == {"subject": "u1", "role": "admin"}


async def test_request_without_token_is_refused_with_401_and_a_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/admin/report")
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert body["instance"] == "/admin/report"
    assert "Authorization" in body["detail"]


@pytest.mark.parametrize("header", ["Basic dXNlcjpwdw==", "Bearer", "Bearer    ", "token abc"])
async def test_malformed_authorization_header_is_refused_with_401(
    client: httpx.AsyncClient, header: str
) -> None:
    response = await client.get("/admin/report", headers={"Authorization": header})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_expired_token_is_refused_with_401_saying_so(client: httpx.AsyncClient) -> None:
    from datetime import UTC, datetime, timedelta

    token = mint_token(
        SECRET, role=Role.ADMIN, now=datetime.now(UTC) - timedelta(days=1), ttl=timedelta(hours=1)
    )
    response = await client.get("/admin/report", headers={"Authorization": f"Bearer {token}"})
    assert "expired" in assert_problem(response, 401)["detail"]


async def test_receptionist_token_is_forbidden_from_admin_endpoint_with_403(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/admin/report", headers=bearer(Role.RECEPTIONIST))
    body = assert_problem(response, 403)
    assert "www-authenticate" not in response.headers
    assert "receptionist" in body["detail"]
    assert body["allowed_roles"] == ["admin"]


async def test_invalid_body_is_refused_with_422_naming_each_bad_field(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/patients", json={"first_name": "", "age": "old"})
    body = assert_problem(response, 422)
    fields = [e["field"] for e in body["errors"]]
    assert sorted(fields) == ["body.age", "body.first_name"]
    assert all(e["reason"] for e in body["errors"])
    assert "body.first_name" in body["detail"]
    assert "body.age" in body["detail"]


async def test_missing_required_field_is_named_in_the_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/patients", json={"age": 30})
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["body.first_name"]


async def test_valid_body_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post("/patients", json={"first_name": "Ada", "age": 36})
    assert response.status_code == 201
    assert response.json() == {"first_name": "Ada"}


async def test_app_error_keeps_its_status_and_extensions(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/conflict"), 409)
    assert body["detail"] == "The slot is taken."
    assert body["slot"] == "09:00"
    assert body["type"].endswith("/conflict")


async def test_unexpected_error_is_a_500_problem_without_internals(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/boom")
    body = assert_problem(response, 500)
    text = response.text
    assert "Traceback" not in text
    assert "RuntimeError" not in text
    assert "hunter2" not in text
    assert "10.1.2.3" not in text
    assert body["detail"] == "Something went wrong on our side; nothing was changed."


async def test_unknown_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/thing")
    body = assert_problem(response, 404)
    assert body["instance"] == "/no/such/thing"


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.delete("/patients"), 405)


async def test_correlation_id_sent_is_echoed_and_named_in_the_problem(
    client: httpx.AsyncClient,
) -> None:
    headers = {"X-Correlation-ID": "req-7f3a"}
    response = await client.get("/admin/report", headers=headers)
    assert response.headers["x-correlation-id"] == "req-7f3a"
    assert assert_problem(response, 401)["correlation_id"] == "req-7f3a"

    response = await client.get("/no/such/thing", headers=headers)
    assert assert_problem(response, 404)["correlation_id"] == "req-7f3a"

    response = await client.post("/patients", json={}, headers=headers)
    assert assert_problem(response, 422)["correlation_id"] == "req-7f3a"


async def test_successful_response_echoes_the_correlation_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Correlation-ID": "req-ok"})
    assert response.status_code == 200
    assert response.headers["x-correlation-id"] == "req-ok"


async def test_request_without_correlation_id_gets_a_fresh_one(client: httpx.AsyncClient) -> None:
    first = await client.get("/no/such/thing")
    second = await client.get("/no/such/thing")
    assert first.headers["x-correlation-id"] == first.json()["correlation_id"]
    assert first.headers["x-correlation-id"] != second.headers["x-correlation-id"]


async def test_oversized_correlation_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Correlation-ID": "x" * 101})
    assert response.headers["x-correlation-id"] != "x" * 101
    assert 0 < len(response.headers["x-correlation-id"]) <= 100


async def test_unexpected_error_still_carries_the_correlation_id(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/boom", headers={"X-Correlation-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers.get("x-correlation-id") == "req-500"
    assert response.json().get("correlation_id") == "req-500"


async def test_healthz_is_always_ok(client: httpx.AsyncClient, runtime: DummyRuntime) -> None:
    runtime.ready = False
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_tells_anyone_only_that_the_service_is_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_shows_its_checks_to_a_caller_with_a_token(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/readyz", headers=bearer(Role.STOCK_MANAGER))
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": True, "broker": True}}


async def test_readyz_is_a_503_problem_naming_failed_checks_when_not_ready(
    client: httpx.AsyncClient, runtime: DummyRuntime
) -> None:
    runtime.ready = False
    runtime.checks = {"database": True, "broker": False, "outbox_pending": 3}
    response = await client.get("/readyz", headers=bearer(Role.ADMIN))
    body = assert_problem(response, 503)
    assert body["detail"] == "Not ready: broker."
    assert body["checks"] == runtime.checks
    assert body["instance"] == "/readyz"


@pytest.mark.parametrize("authorization", [None, "Bearer forged.token.value"])
async def test_readyz_down_says_only_down_to_anyone_else(
    client: httpx.AsyncClient, runtime: DummyRuntime, authorization: str | None
) -> None:
    runtime.ready = False
    runtime.checks = {"database": True, "broker": False, "outbox_pending": 3}
    headers = {"Authorization": authorization} if authorization else {}
    body = assert_problem(await client.get("/readyz", headers=headers), 503)
    assert body["detail"] == "Not ready."
    assert "checks" not in body
    assert "outbox" not in str(body)


@pytest.mark.parametrize("sqlstate", ["40P01", "40001", "53300", "57P01", "57P03", "08006"])
async def test_a_deadlock_refused_or_dropped_connection_is_a_503_to_retry(
    client: httpx.AsyncClient, sqlstate: str
) -> None:
    body = assert_problem(await client.get(f"/db/{sqlstate}"), 503)
    assert "nothing was changed" in body["detail"]


async def test_other_database_errors_are_a_500_without_internals(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/db/23505"), 500)
    assert "UPDATE" not in body["detail"]
