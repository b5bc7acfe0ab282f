"""The one place notifications is wired."""

from __future__ import annotations

from fastapi import FastAPI

from clinic_shared.messaging import MessageBus
from clinic_shared.web import build_service_app
from notifications.adapters.orm import metadata
from notifications.entrypoints.api import contacts
from notifications.service_layer.handlers import HANDLERS
from notifications.settings import NotificationsSettings


def build_app(
    settings: NotificationsSettings | None = None, bus: MessageBus | None = None
) -> FastAPI:
    return build_service_app(
        settings or NotificationsSettings(),
        title="Notifications",
        description="Confirmations, reminders, after-care, two-way SMS and staff alerts.",
        metadata=metadata,
        migrations_location="notifications:migrations",
        routers=[contacts.router],
        handlers=HANDLERS,
        bus=bus,
    )
