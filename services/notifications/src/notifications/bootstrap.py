"""The one place notifications is wired."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from clinic_shared.messaging import MessageBus
from clinic_shared.ratelimit import Limit, RateLimiter
from clinic_shared.runtime import ServiceRuntime, Worker
from clinic_shared.web import build_service_app
from notifications.adapters.channels import Channels, Sender
from notifications.adapters.channels.local import LocalOutbox
from notifications.adapters.channels.smtp import SmtpChannel, SmtpOptions
from notifications.adapters.channels.twilio import TwilioChannel, TwilioOptions
from notifications.adapters.metrics import MESSAGE_GAUGES
from notifications.adapters.orm import metadata
from notifications.domain.delivery import RetryPolicy
from notifications.entrypoints.api import (
    contacts,
    export,
    messages,
    policy,
    preferences,
    staff_alerts,
    webhooks,
)
from notifications.service_layer.alerts import inventory_handlers
from notifications.service_layer.attempts import DispatchOptions
from notifications.service_layer.digest import StaffDigest
from notifications.service_layer.dispatch import Dispatcher
from notifications.service_layer.handlers import HANDLERS, scheduling_handlers
from notifications.service_layer.rendering import Clinic
from notifications.settings import NotificationsSettings


def build_channels(settings: NotificationsSettings) -> Channels:
    """SMTP and the SMS API when configured; else the local outbox under var/outbox/."""
    outbox = LocalOutbox(settings.outbox_dir, settings.email_from)
    email: Sender = outbox
    sms: Sender = outbox
    if settings.smtp_host:
        email = SmtpChannel(
            SmtpOptions(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.email_from,
                security=settings.smtp_security,
                username=settings.smtp_username,
                password=settings.smtp_password,
                ca_file=settings.smtp_ca_file,
                timeout_seconds=settings.smtp_timeout_seconds,
                pool_size=settings.dispatch_concurrency,
            )
        )
    if settings.sms_account_sid and settings.sms_auth_token and settings.sms_from:
        sms = TwilioChannel(
            TwilioOptions(
                api_url=settings.sms_api_url,
                account_sid=settings.sms_account_sid,
                auth_token=settings.sms_auth_token,
                sender=settings.sms_from,
                status_callback_url=settings.sms_status_callback_url,
                timeout_seconds=settings.sms_timeout_seconds,
            )
        )
    return {"email": email, "sms": sms}


def build_dispatcher(
    runtime: ServiceRuntime, settings: NotificationsSettings, channels: Channels
) -> Dispatcher:
    options = DispatchOptions(
        batch_size=settings.dispatch_batch_size,
        concurrency=settings.dispatch_concurrency,
        lease_for=timedelta(seconds=settings.dispatch_lease_seconds),
        poll_seconds=settings.dispatch_poll_seconds,
        retry=RetryPolicy(
            first_delay=timedelta(seconds=settings.dispatch_first_retry_seconds),
            max_delay=timedelta(seconds=settings.dispatch_max_retry_seconds),
            max_attempts=settings.dispatch_max_attempts,
        ),
    )
    clinic = Clinic(
        settings.clinic_name, settings.clinic_address, settings.clinic_phone, settings.zone
    )
    return Dispatcher(runtime, channels, clinic=clinic, options=options)


def build_digest(
    runtime: ServiceRuntime, settings: NotificationsSettings, channels: Channels
) -> StaffDigest:
    return StaffDigest(
        runtime,
        channels["email"],
        recipients=settings.staff_alert_recipients,
        clinic_name=settings.clinic_name,
        poll_seconds=settings.staff_digest_seconds,
    )


def build_app(
    settings: NotificationsSettings | None = None,
    bus: MessageBus | None = None,
    channels: Channels | None = None,
) -> FastAPI:
    settings = settings or NotificationsSettings()
    ways_out = channels if channels is not None else build_channels(settings)

    async def dispatch(runtime: ServiceRuntime) -> None:
        assert settings is not None
        try:
            await build_dispatcher(runtime, settings, ways_out).run()
        finally:
            for sender in set(ways_out.values()):
                if isinstance(sender, SmtpChannel | TwilioChannel):
                    await sender.close()

    async def digest(runtime: ServiceRuntime) -> None:
        assert settings is not None
        await build_digest(runtime, settings, ways_out).run()

    workers: list[Worker] = [dispatch, digest] if settings.dispatch_enabled else []
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
        ],
        handlers={
            **HANDLERS,
            **scheduling_handlers(settings.zone),
            **inventory_handlers(settings.zone),
        },
        bus=bus,
        workers=workers,
        state_gauges=MESSAGE_GAUGES,
    )
    webhook_limit = Limit(settings.webhook_rate_limit, settings.webhook_rate_window_seconds)
    app.state.webhook_limiter = RateLimiter(
        webhook_limit, refusal="Too many webhook calls from this address. Try again later."
    )
    return app
