"""OpenAPI links from each create to the routes of what it created, derived from the routes.

`POST /v1/patients` answers a patient whose `id` is the `{patient_id}` of `GET /v1/patients/
{patient_id}`, `PATCH ...`, `POST .../erase`: the schema says so with a link on the 2xx answer,
so a client (or a stateful fuzzer) can follow the create to every route of the new resource.
"""

from __future__ import annotations

import re
from typing import Any

METHODS = ("get", "put", "post", "patch", "delete")
_PARAM = re.compile(r"\{(\w+)\}")


def _body_properties(schema: dict[str, Any], response: dict[str, Any]) -> set[str]:
    body = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = body.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        body = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], {})
    return set(body.get("properties", {}))


def _parameters(source_path: str, target_path: str, fields: set[str]) -> dict[str, str] | None:
    """Where each path parameter of the target comes from, or None if one has no source."""
    own = set(_PARAM.findall(source_path))
    out = {}
    for param in _PARAM.findall(target_path):
        if param in own:
            out[param] = f"$request.path.{param}"
        elif param in fields:
            out[param] = f"$response.body#/{param}"
        elif param.endswith("_id") and "id" in fields:
            out[param] = "$response.body#/id"
        else:
            return None
    return out


def _targets(source_path: str, paths: dict[str, Any]) -> list[str]:
    """The routes of what a write to `source_path` made: below it, or it again if addressed."""
    below = [p for p in paths if p.startswith(source_path + "/{")]
    return below + ([source_path] if _PARAM.search(source_path) else [])


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = schema.get("paths", {})
    for source_path, operations in paths.items():
        for method in ("post", "put"):
            operation = operations.get(method)
            if operation is None:
                continue
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                fields = _body_properties(schema, response)
                links = {}
                for target_path in _targets(source_path, paths):
                    parameters = _parameters(source_path, target_path, fields)
                    if parameters is None:
                        continue
                    for target_method in METHODS:
                        target = paths[target_path].get(target_method)
                        if target is None or target is operation:
                            continue
                        links[target["operationId"]] = {
                            "operationId": target["operationId"],
                            "parameters": parameters,
                        }
                if links:
                    response["links"] = links
    return schema
