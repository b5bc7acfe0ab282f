"""Notifications' background workers: the dispatcher, the staff digest, and the purchase orders
emailed to suppliers.

Each loop runs one round at a time on the service's clock, survives database and channel
outages (a failed round is logged, the next one tries again) and returns soon after the
service starts stopping. The rounds are the service layer's; the ways out are built here.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import parseaddr

from clinic_shared.reconcile import reconcile_worker
from clinic_shared.runtime import ServiceRuntime, Worker
from notifications.adapters.channels import Channels, Sender
from notifications.adapters.channels.local import LocalOutbox
from notifications.adapters.channels.smtp import SmtpChannel, SmtpOptions
from notifications.adapters.channels.twilio import TwilioChannel, TwilioOptions
from notifications.domain.delivery import RetryPolicy
from notifications.entrypoints.reconcile import interval, reconciler
from notifications.service_layer.attempts import DispatchOptions
from notifications.service_layer.digest import StaffDigest
from notifications.service_layer.dispatch import Dispatcher
from notifications.service_layer.rendering import Clinic, PatientLinks
from notifications.service_layer.supplier_orders import SupplierOrderMailer
from notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)


def build_channels(settings: NotificationsSettings) -> Channels:
    """SMTP and the SMS API when configured; else the local outbox under var/outbox/."""
    outbox = LocalOutbox(
        settings.outbox_dir, settings.email_from, settings.local_undeliverable_numbers
    )
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


def dispatch_options(settings: NotificationsSettings) -> DispatchOptions:
    return DispatchOptions(
        max_sms_segments=settings.max_sms_segments,
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


def clinic_of(settings: NotificationsSettings) -> Clinic:
    links = PatientLinks(
        settings.patient_link_key.get_secret_value(), settings.patient_link_base_url
    )
    return Clinic(
        settings.clinic_name,
        settings.clinic_address,
        settings.clinic_phone,
        settings.zone,
        links,
        email=parseaddr(settings.email_from)[1] or None,
    )


def build_dispatcher(
    runtime: ServiceRuntime, settings: NotificationsSettings, channels: Channels
) -> Dispatcher:
    clinic = clinic_of(settings)
    return Dispatcher(runtime, channels, clinic=clinic, options=dispatch_options(settings))


def build_supplier_mailer(
    runtime: ServiceRuntime, settings: NotificationsSettings, channels: Channels
) -> SupplierOrderMailer:
    return SupplierOrderMailer(
        runtime,
        channels["email"],
        clinic=clinic_of(settings),
        max_attempts=settings.dispatch_max_attempts,
    )


def build_digest(
    runtime: ServiceRuntime, settings: NotificationsSettings, channels: Channels
) -> StaffDigest:
    return StaffDigest(
        runtime,
        channels["email"],
        recipients=settings.staff_alert_recipients,
        clinic_name=settings.clinic_name,
    )


def build_workers(
    settings: NotificationsSettings, channels: Channels | None = None
) -> list[Worker]:
    """The dispatch, digest and supplier-order loops (none when dispatch is off), sending
    through `channels` (else those the settings configure), and the reconciliation of sessions
    with scheduling."""
    reconciling = reconcile_worker(reconciler, interval=interval)
    if not settings.dispatch_enabled:
        return [reconciling]
    ways_out = channels if channels is not None else build_channels(settings)

    async def dispatch(runtime: ServiceRuntime) -> None:
        """Dispatch until the service stops; a round that leased a whole batch is followed
        at once by the next."""
        dispatcher = build_dispatcher(runtime, settings, ways_out)
        options = dispatch_options(settings)
        try:
            while not runtime.stopping.is_set():
                try:
                    leased = await dispatcher.dispatch_once(now=runtime.clock())
                except Exception:
                    log.exception("dispatch round failed")
                    leased = 0
                if leased < options.batch_size:
                    await runtime.idle(options.poll_seconds)
        finally:
            for sender in set(ways_out.values()):
                if isinstance(sender, SmtpChannel | TwilioChannel):
                    await sender.close()

    async def digest(runtime: ServiceRuntime) -> None:
        """Send the staff digest every `staff_digest_seconds` until the service stops."""
        staff_digest = build_digest(runtime, settings, ways_out)
        while not runtime.stopping.is_set():
            try:
                await staff_digest.send_once(now=runtime.clock())
            except Exception:
                log.exception("staff digest round failed")
            await runtime.idle(settings.staff_digest_seconds)

    async def supplier_orders(runtime: ServiceRuntime) -> None:
        """Email the purchase orders sent, every dispatch poll, until the service stops."""
        mailer = build_supplier_mailer(runtime, settings, ways_out)
        while not runtime.stopping.is_set():
            try:
                await mailer.send_once(now=runtime.clock())
            except Exception:
                log.exception("supplier order round failed")
            await runtime.idle(settings.dispatch_poll_seconds)

    return [dispatch, digest, supplier_orders, reconciling]
