"""The one place notifications is wired: settings, runtime, app."""

from __future__ import annotations

from fastapi import FastAPI

from clinic_shared.auth import TokenVerifier
from clinic_shared.messaging import MessageBus
from clinic_shared.runtime import ServiceRuntime
from clinic_shared.web import create_app
from notifications.adapters.orm import metadata
from notifications.entrypoints.api import contacts
from notifications.service_layer.handlers import HANDLERS
from notifications.settings import NotificationsSettings

MIGRATIONS = "notifications:migrations"


def build_runtime(settings: NotificationsSettings, bus: MessageBus | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        settings=settings,
        metadata=metadata,
        migrations_location=MIGRATIONS,
        handlers=HANDLERS,
        bus=bus,
    )


def build_app(
    settings: NotificationsSettings | None = None, bus: MessageBus | None = None
) -> FastAPI:
    settings = settings or NotificationsSettings()
    return create_app(
        title="Notifications",
        description="Confirmations, reminders, after-care, two-way SMS and staff alerts.",
        runtime=build_runtime(settings, bus),
        verifier=TokenVerifier(settings.jwt_secret.get_secret_value(), settings.jwt_issuer),
        routers=[contacts.router],
    )
