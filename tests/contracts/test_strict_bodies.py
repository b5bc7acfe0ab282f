"""Issue 18 item 15: in a JSON body "1" is not an integer and "yes" is not a flag, on every
service. Walks every request body model of every route, nested models and lists included, so
a body still to come is held to it too."""

from __future__ import annotations

import types
import typing
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, routing
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError

from clinic_testing.helpers import bearer, running
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from notifications.bootstrap import build_app as notifications_app
from notifications.settings import NotificationsSettings
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.settings import SchedulingSettings

NUMBERS = (int, float, bool)
APPS: dict[str, Callable[[], FastAPI]] = {
    "scheduling": lambda: scheduling_app(SchedulingSettings()),
    "inventory": lambda: inventory_app(InventorySettings()),
    "notifications": lambda: notifications_app(NotificationsSettings()),
}
# A field each service is known to take, so the walk cannot silently find nothing.
KNOWN = {
    "scheduling": {"CourseCreate.sessions_planned", "RescheduleBody.shift_following"},
    "inventory": {"AdjustmentCreate.quantity", "ProductCreate.volume_ml"},
    "notifications": {"ReminderRuleBody.offset_hours", "PreferencesBody.consent_sms"},
}


@pytest.mark.parametrize("service", APPS)
def test_every_number_and_flag_of_every_request_body_is_strict(service: str) -> None:
    """Each int or float field refuses "1" and true; each bool field refuses 1 and "true"."""
    app = APPS[service]()
    bodies = {
        context.route.body_field.field_info.annotation
        for context in routing.iter_route_contexts(app.routes)
        if isinstance(context.route, APIRoute) and context.route.body_field is not None
    }
    lenient, checked = [], []
    for model in bodies:
        for name, annotation in _number_fields(model):
            adapter = TypeAdapter(annotation)
            wrong = [1, "true", "yes"] if _base(annotation) is bool else ["1", True]
            for value in wrong:
                try:
                    adapter.validate_python(value)
                except ValidationError:
                    continue
                lenient.append(f"{name} takes {value!r}")
            checked.append(name)
    assert KNOWN[service] <= set(checked), sorted(checked)
    assert not lenient, "\n".join(sorted(lenient))


def _number_fields(model: Any) -> Iterator[tuple[str, Any]]:
    """(Model.field, its annotation with its constraints) for each number or flag, nested too."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        for inner in _leaves(model):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from _number_fields(inner)
        return
    for name, info in model.model_fields.items():
        for inner in _leaves(info.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from _number_fields(inner)
            elif _base(inner) in NUMBERS:
                constrained = Annotated[(inner, *info.metadata)] if info.metadata else inner
                yield f"{model.__name__}.{name}", constrained


def _leaves(annotation: Any) -> Iterator[Any]:
    """The types inside unions, lists and sets, keeping each one's own constraints."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, set, frozenset):
        for arg in typing.get_args(annotation):
            yield from _leaves(arg)
    elif origin is Annotated and typing.get_origin(typing.get_args(annotation)[0]) in (
        list,
        set,
        frozenset,
    ):
        yield from _leaves(typing.get_args(annotation)[0])
    elif annotation is not type(None):
        yield annotation


def _base(annotation: Any) -> Any:
    if typing.get_origin(annotation) is Annotated:
        return typing.get_args(annotation)[0]
    return annotation


PATIENT = {
    "first_name": "Chloé",
    "last_name": "Martin",
    "phone": "+33 6 12 34 56 78",
    "email": "chloe.martin@example.com",
}


@pytest.mark.parametrize("flag", ["yes", "true", 1])
async def test_a_patient_whose_consent_is_not_a_json_flag_is_refused_and_not_registered(
    make_settings: Any, flag: object
) -> None:
    app = scheduling_app(await make_settings(SchedulingSettings))
    async with running(app) as client:
        refused = await client.post(
            "/v1/patients", json=PATIENT | {"consent_sms": flag}, headers=bearer("receptionist")
        )
        listed = await client.get("/v1/patients", headers=bearer("receptionist"))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["body.consent_sms"]
    assert listed.json() == []


async def test_preferences_whose_consent_is_text_are_refused_naming_the_field(
    make_settings: Any,
) -> None:
    app = notifications_app(await make_settings(NotificationsSettings))
    async with running(app) as client:
        refused = await client.put(
            f"/v1/patients/{uuid.uuid4()}/preferences",
            json={
                "preferred_channel": "sms",
                "language": "fr",
                "consent_sms": "no",
                "consent_email": False,
            },
            headers=bearer("admin"),
        )
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["body.consent_sms"]
