"""The one place inventory is wired: settings, runtime, app."""

from __future__ import annotations

from fastapi import FastAPI

from clinic_shared.auth import TokenVerifier
from clinic_shared.messaging import MessageBus
from clinic_shared.runtime import ServiceRuntime
from clinic_shared.web import create_app
from inventory.adapters.orm import metadata
from inventory.entrypoints.api import patients
from inventory.service_layer.handlers import HANDLERS
from inventory.settings import InventorySettings

MIGRATIONS = "inventory:migrations"


def build_runtime(settings: InventorySettings, bus: MessageBus | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        settings=settings,
        metadata=metadata,
        migrations_location=MIGRATIONS,
        handlers=HANDLERS,
        bus=bus,
    )


def build_app(settings: InventorySettings | None = None, bus: MessageBus | None = None) -> FastAPI:
    settings = settings or InventorySettings()
    return create_app(
        title="Inventory",
        description="Vials by lot and expiry, reservations, consumption and reorders.",
        runtime=build_runtime(settings, bus),
        verifier=TokenVerifier(settings.jwt_secret.get_secret_value(), settings.jwt_issuer),
        routers=[patients.router],
    )
