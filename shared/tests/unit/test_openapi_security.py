"""The OpenAPI names the bearer token and the roles on exactly the operations that need them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from clinic_shared.auth import Principal, Role, TokenVerifier, require_roles
from clinic_shared.web import create_app

from .test_http_problems import DummyRuntime

router = APIRouter(prefix="/v1")


@router.post("/lots")
async def receive(_: Annotated[Principal, Depends(require_roles(Role.STOCK_MANAGER))]) -> None:
    return None


@router.get("/lots")
async def lots(
    _: Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.STOCK_MANAGER))],
) -> list[str]:
    return []


@router.post("/webhooks/inbound")
async def inbound() -> None:
    return None


def schema() -> dict:
    verifier = TokenVerifier("unit-test-secret-0123456789-abcdefghijklmnop")
    return create_app(
        title="t", runtime=DummyRuntime(), verifier=verifier, routers=[router]
    ).openapi()


def test_an_operation_behind_a_role_asks_for_the_bearer_token_and_names_its_roles() -> None:
    paths = schema()["paths"]

    assert paths["/v1/lots"]["post"]["security"] == [{"bearer": []}]
    assert paths["/v1/lots"]["post"]["x-roles"] == ["stock_manager"]
    assert paths["/v1/lots"]["get"]["x-roles"] == ["admin", "stock_manager"]


def test_operations_open_to_anyone_ask_for_no_token() -> None:
    paths = schema()["paths"]

    for path, method in [("/v1/webhooks/inbound", "post"), ("/healthz", "get"), ("/readyz", "get")]:
        assert "security" not in paths[path][method], path


def test_the_bearer_scheme_is_declared_once_for_the_whole_api() -> None:
    schemes = schema()["components"]["securitySchemes"]

    assert schemes == {"bearer": {**schemes["bearer"], "type": "http", "scheme": "bearer"}}
