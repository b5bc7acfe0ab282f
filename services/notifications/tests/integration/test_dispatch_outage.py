"""A send that went out while the database dropped is recorded when it comes back, not resent."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy.engine import make_url

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import eventually, running
from clinic_testing.tcp_proxy import TcpProxy
from notifications.bootstrap import build_app
from notifications.settings import NotificationsSettings

from .dispatching import dispatcher
from .events import T0, Session, envelope, messages, publish
from .test_dispatch import HeldChannel


async def test_a_send_recorded_during_a_database_outage_is_recorded_after_it_not_sent_again(
    make_settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="notifications.service_layer.dispatch")
    direct = await make_settings(NotificationsSettings, dispatch_enabled=False)
    url = make_url(direct.database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    settings = direct.model_copy(update={"database_url": proxied})
    channel = HeldChannel()
    app = build_app(settings, channels={"email": channel, "sms": channel})
    session = Session()
    try:
        async with running(app) as client:
            await publish(app, envelope(session.contact(consent_sms=False)))
            await publish(app, envelope(SessionBooked(**session.facts())))
            sender = dispatcher(app, channel)
            leased = await sender.lease(now=T0)
            channel.held = {str(message.id) for message, _ in leased}
            delivering = asyncio.create_task(sender.deliver(leased, now=T0))
            await asyncio.wait_for(channel.holding.wait(), timeout=10)

            await proxy.refuse()  # PostgreSQL is gone while the email is with the SMTP server
            channel.release.set()

            async def waiting() -> bool:
                return "database unavailable" in caplog.text

            await eventually(waiting, timeout=20)
            await proxy.start()  # and back
            await asyncio.wait_for(delivering, timeout=30)
            after_lease = await sender.dispatch_once(now=T0 + timedelta(minutes=5))
            found = await messages(client, session_id=session.session_id, kind="confirmation")
    finally:
        await proxy.close()
    assert len(leased) == 1
    assert [m["status"] for m in found] == ["sent"]
    assert after_lease == 0
    assert len(channel.sent) == 1
