"""The one place notifications is wired."""

from __future__ import annotations

from fastapi import FastAPI

from clinic_shared.messaging import MessageBus
from clinic_shared.outbox import scoped_handlers
from clinic_shared.ratelimit import Limit, RateLimiter
from clinic_shared.reconcile import reconcile_router
from clinic_shared.web import build_service_app
from notifications.adapters.channels import Channels
from notifications.adapters.metrics import MESSAGE_GAUGES
from notifications.adapters.orm import metadata
from notifications.entrypoints.api import (
    contacts,
    export,
    messages,
    policy,
    preferences,
    staff_alerts,
    webhooks,
)
from notifications.entrypoints.reconcile import reconciler
from notifications.entrypoints.workers import build_workers
from notifications.service_layer.handlers import EVENT_HANDLERS
from notifications.service_layer.scope import make_scope
from notifications.settings import NotificationsSettings


def build_app(
    settings: NotificationsSettings | None = None,
    bus: MessageBus | None = None,
    channels: Channels | None = None,
) -> FastAPI:
    """`channels` replace the ways out the settings configure (a test's recorder)."""
    settings = settings or NotificationsSettings()
    app = build_service_app(
        settings,
        title="Notifications",
        description="Confirmations, reminders, after-care, two-way SMS and staff alerts.",
        metadata=metadata,
        migrations_location="notifications:migrations",
        routers=[
            contacts.router,
            export.router,
            policy.router,
            messages.router,
            preferences.router,
            staff_alerts.router,
            webhooks.router,
            reconcile_router(reconciler),
        ],
        handlers=scoped_handlers(EVENT_HANDLERS, make_scope(settings)),
        bus=bus,
        workers=build_workers(settings, channels),
        state_gauges=MESSAGE_GAUGES,
    )
    webhook_limit = Limit(settings.webhook_rate_limit, settings.webhook_rate_window_seconds)
    app.state.webhook_limiter = RateLimiter(
        webhook_limit, refusal="Too many webhook calls from this address. Try again later."
    )
    return app
