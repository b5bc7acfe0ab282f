"""JSON bodies take numbers and flags as they are typed: "1" and true are never a vial."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import routing
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError

from inventory.adapters.orm import adjustments, lots
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings

from .conftest import STOCK, Inventory

NUMBERS = (int, float, bool)


@pytest.mark.parametrize("quantity", ["1", True, 1.0])
async def test_an_adjustment_quantity_that_is_not_a_json_integer_is_refused_naming_it(
    inventory: Inventory, quantity: object
) -> None:
    lot = await inventory.receive("lidocaine", "LID-1", 4)
    body = {"lot_id": lot["id"], "kind": "breakage", "quantity": quantity, "reason": "dropped"}
    refused = await inventory.client.post("/v1/adjustments", json=body, headers=STOCK)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["body.quantity"]
    assert [r.quantity for r in await inventory.rows(lots)] == [4]
    assert await inventory.rows(adjustments) == []


async def test_a_product_volume_or_lead_time_sent_as_text_or_a_flag_is_refused(
    inventory: Inventory,
) -> None:
    for field, value in (("volume_ml", True), ("volume_ml", "2"), ("lead_time_days", "3")):
        refused = await inventory.client.patch(
            "/v1/products/caffeine", json={field: value}, headers=STOCK
        )
        assert refused.status_code == 422, (field, value, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [f"body.{field}"]


def test_every_number_and_flag_of_every_request_body_is_strict() -> None:
    """A guard for bodies still to come: each int, float or bool field refuses "1" and true
    (a bool field refuses 1 and "true")."""
    app = build_app(InventorySettings())
    bodies = {
        context.route.body_field.field_info.annotation
        for context in routing.iter_route_contexts(app.routes)
        if isinstance(context.route, APIRoute) and context.route.body_field is not None
    }
    checked = []
    for model in bodies:
        for name, annotation in _number_fields(model):
            adapter = TypeAdapter(annotation)
            wrong = [1, "true"] if _base(annotation) is bool else ["1", True]
            for value in wrong:
                with pytest.raises(ValidationError):
                    adapter.validate_python(value)
            checked.append(name)
    assert "AdjustmentCreate.quantity" in checked
    assert "ProductCreate.volume_ml" in checked


def _number_fields(model: type[BaseModel]) -> Iterator[tuple[str, Any]]:
    """(Model.field, its annotation with its constraints) for each number or flag, nested too."""
    for name, info in model.model_fields.items():
        for inner in _leaves(info.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from _number_fields(inner)
            elif _base(inner) in NUMBERS:
                constrained = Annotated[(inner, *info.metadata)] if info.metadata else inner
                yield f"{model.__name__}.{name}", constrained


def _leaves(annotation: Any) -> Iterator[Any]:
    """The types inside unions and lists, keeping each one's own constraints."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            yield from _leaves(arg)
    elif annotation is not type(None):
        yield annotation


def _base(annotation: Any) -> Any:
    if typing.get_origin(annotation) is Annotated:
        return typing.get_args(annotation)[0]
    return annotation
