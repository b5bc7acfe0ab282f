"""The OpenAPI says which operations need a bearer token, and which roles they admit.

Read off each route's `require_roles` dependency, so the schema cannot drift from the code: a
client generator offers the token where it is needed, and a fuzzer can check that every such
operation refuses a request without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant

from clinic_shared.auth import Role

SCHEME = "bearer"
BEARER = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "A staff token (`make token`); its role says what it may do.",
}


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def roles_of(dependant: Dependant) -> frozenset[Role] | None:
    """The roles a route admits, or None when it asks for no token."""
    for call in _calls(dependant):
        roles = getattr(call, "allowed_roles", None)
        if roles is not None:
            return frozenset(roles)
    return None


def add_security(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = schema.get("paths", {})
    secured = False
    for route in routing.iter_route_contexts(app.routes):  # the included routers' routes too
        dependant = getattr(route, "dependant", None)
        if dependant is None or route.path not in paths:
            continue
        roles = roles_of(dependant)
        if roles is None:
            continue
        for method in getattr(route, "methods", None) or ():
            operation = paths[route.path].get(method.lower())
            if operation is None:
                continue
            secured = True
            operation["security"] = [{SCHEME: []}]
            operation["x-roles"] = sorted(role.value for role in roles)
    if secured:
        schema.setdefault("components", {}).setdefault("securitySchemes", {})[SCHEME] = BEARER
    return schema
