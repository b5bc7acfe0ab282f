"""The one place notifications is wired."""

from __future__ import annotations

from fastapi import FastAPI

from clinic_shared.messaging import MessageBus
from clinic_shared.web import build_service_app
from notifications.adapters.orm import metadata
from notifications.entrypoints.api import contacts, messages, policy
from notifications.service_layer.handlers import HANDLERS
from notifications.service_layer.sessions import scheduling_handlers
from notifications.settings import NotificationsSettings


def build_app(
    settings: NotificationsSettings | None = None, bus: MessageBus | None = None
) -> FastAPI:
    settings = settings or NotificationsSettings()
    return build_service_app(
        settings,
        title="Notifications",
        description="Confirmations, reminders, after-care, two-way SMS and staff alerts.",
        metadata=metadata,
        migrations_location="notifications:migrations",
        routers=[contacts.router, policy.router, messages.router],
        handlers={**HANDLERS, **scheduling_handlers(settings.zone)},
        bus=bus,
    )
