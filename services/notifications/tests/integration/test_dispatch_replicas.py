"""Several dispatchers on one database send each message once; the app runs its own loop."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import eventually, running
from notifications.bootstrap import build_app
from notifications.settings import NotificationsSettings

from .dispatching import Recorder, dispatcher
from .events import T0, Session, envelope, messages, publish


async def test_two_dispatchers_on_one_database_send_each_message_once(make_settings) -> None:
    settings = await make_settings(
        NotificationsSettings, dispatch_enabled=False, dispatch_batch_size=4
    )
    recorder = Recorder()
    channels = {"email": recorder, "sms": recorder}
    first, second = build_app(settings, channels=channels), build_app(settings, channels=channels)
    sessions = [Session() for _ in range(12)]
    async with running(first) as client, running(second):
        await publish(first, *(envelope(s.contact(consent_sms=False)) for s in sessions))
        await publish(first, *(envelope(SessionBooked(**s.facts())) for s in sessions))
        replicas = (dispatcher(first, recorder), dispatcher(second, recorder))
        rounds = []
        while not rounds or sum(rounds[-1]) > 0:
            rounds.append(await asyncio.gather(*(d.dispatch_once(now=T0) for d in replicas)))
        confirmations = await messages(client, kind="confirmation", status="sent")
    sent = [o.message_id for o in recorder.sent]
    assert len(sent) == len(set(sent)) == 12
    assert len(confirmations) == 12
    assert sum(leased for a_round in rounds for leased in a_round) == 12
    assert all(leased <= 4 for a_round in rounds for leased in a_round)


async def test_the_running_service_writes_due_messages_to_the_local_outbox(
    make_settings, tmp_path: Path
) -> None:
    outbox_dir = tmp_path / "outbox"
    settings = await make_settings(
        NotificationsSettings, dispatch_poll_seconds=0.05, outbox_dir=outbox_dir
    )
    app = build_app(settings)
    app.state.runtime.clock = lambda: T0  # a weekday morning: no quiet hours to wait for
    session = Session()
    now = T0
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_sms=False), now))
        booked = SessionBooked(**session.facts(now + timedelta(days=3)))
        await publish(app, envelope(booked, now))
        sent = await eventually(
            lambda: messages(client, kind="confirmation", status="sent"), until=bool
        )
    written = (outbox_dir / f"{sent[0]['id']}.eml").read_text()
    assert "Subject: Your session 3 of 10 on" in written
    assert "To: amelia@example.com" in written
    assert "text/html" in written
