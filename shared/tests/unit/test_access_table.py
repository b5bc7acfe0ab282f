"""The access-table check catches every kind of drift between a README and the code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from clinic_shared.auth import Principal, Role, TokenVerifier, require_roles
from clinic_shared.errors import Unauthorized
from clinic_shared.web import create_app
from clinic_testing.access import Tokens, mismatches, read_table
from clinic_testing.helpers import running

from .test_http_problems import DummyRuntime

SECRET = "unit-test-secret-0123456789-abcdefghijklmnop"
HEAD = (
    "| method | path | admin | receptionist | practitioner | stock_manager |\n"
    "|---|---|---|---|---|---|\n"
)
router = APIRouter()
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


@router.post("/v1/things")
async def make_thing(_: Admin) -> dict[str, str]:
    return {}


@router.get("/v1/things/{thing_id}")
async def read_thing(thing_id: str) -> dict[str, str]:  # forgot its role check
    return {"id": thing_id}


def readme(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "README.md"
    path.write_text(f"# Thing\n\n## Access\n\n{HEAD}{rows}\n## Next\n")
    return path


async def drift(tmp_path: Path, rows: str) -> list[str]:
    app = create_app(
        title="t", runtime=DummyRuntime(), verifier=TokenVerifier(SECRET), routers=[router]
    )
    async with running(app) as client:
        return await mismatches(app, client, readme(tmp_path, rows), Tokens(SECRET))


HEALTH = (
    "| GET | /healthz | public | public | public | public |\n"
    "| GET | /readyz | public | public | public | public |\n"
    "| GET | /metrics | public | public | public | public |\n"
    "| GET | /openapi.json | public | public | public | public |\n"
    "| GET | /docs | public | public | public | public |\n"
    "| GET | /docs/oauth2-redirect | public | public | public | public |\n"
    "| GET | /redoc | public | public | public | public |\n"
)


async def test_a_table_that_matches_the_code_reports_nothing(tmp_path) -> None:
    rows = HEALTH + "| POST | /v1/things | yes | no | no | no |\n"
    rows += "| GET | /v1/things/{thing_id} | public | public | public | public |\n"

    assert await drift(tmp_path, rows) == []


async def test_an_endpoint_open_without_a_token_is_caught(tmp_path) -> None:
    rows = HEALTH + "| POST | /v1/things | yes | no | no | no |\n"
    rows += "| GET | /v1/things/{thing_id} | yes | yes | yes | yes |\n"

    found = await drift(tmp_path, rows)

    assert "GET /v1/things/{thing_id}: with no token answered 200, not 401" in found
    assert "GET /v1/things/{thing_id}: with alg none answered 200, not 401" in found


async def test_a_role_the_table_refuses_but_the_code_admits_and_the_reverse_are_caught(
    tmp_path,
) -> None:
    rows = HEALTH + "| POST | /v1/things | no | yes | no | no |\n"
    rows += "| GET | /v1/things/{thing_id} | public | public | public | public |\n"

    found = await drift(tmp_path, rows)

    assert "POST /v1/things: admin is refused in the table but got 200" in found
    assert "POST /v1/things: receptionist is allowed in the table but got 403" in found


async def test_routes_missing_from_the_table_or_no_longer_served_are_caught(tmp_path) -> None:
    rows = HEALTH + "| POST | /v1/things | yes | no | no | no |\n"
    rows += "| DELETE | /v1/things/{thing_id} | yes | no | no | no |\n"

    found = await drift(tmp_path, rows)

    assert "GET /v1/things/{thing_id}: served but has no row in the table" in found
    assert "DELETE /v1/things/{thing_id}: in the table but not served" in found


async def test_a_route_hidden_from_the_openapi_document_still_needs_a_row(tmp_path) -> None:
    hidden = APIRouter()
    hidden.add_api_route("/v1/hidden", read_thing, include_in_schema=False)
    app = create_app(
        title="t", runtime=DummyRuntime(), verifier=TokenVerifier(SECRET), routers=[hidden]
    )
    async with running(app) as client:
        found = await mismatches(app, client, readme(tmp_path, HEALTH), Tokens(SECRET))

    assert found == ["GET /v1/hidden: served but has no row in the table"]


async def test_a_refusal_that_is_not_a_problem_is_caught(tmp_path) -> None:
    async def plain_refusal(request: Request, exc: Exception) -> PlainTextResponse:
        return PlainTextResponse("no", status_code=401)

    app = create_app(
        title="t", runtime=DummyRuntime(), verifier=TokenVerifier(SECRET), routers=[router]
    )
    app.add_exception_handler(Unauthorized, plain_refusal)
    rows = HEALTH + "| POST | /v1/things | yes | no | no | no |\n"
    rows += "| GET | /v1/things/{thing_id} | public | public | public | public |\n"
    async with running(app) as client:
        found = await mismatches(app, client, readme(tmp_path, rows), Tokens(SECRET))

    assert "POST /v1/things: with no token refused without problem+json" in found
    assert "POST /v1/things: with expired a 401 without WWW-Authenticate: Bearer" in found


def test_a_cell_that_is_not_a_verdict_is_refused(tmp_path) -> None:
    path = readme(tmp_path, "| GET | /healthz | maybe | yes | yes | yes |\n")

    with pytest.raises(AssertionError, match="maybe"):
        read_table(path)
