"""A message leased before its session is cancelled or moved does not go out for the old time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from clinic_shared.contracts.events import SessionBooked, SessionCancelled, SessionRescheduled
from clinic_testing.helpers import bearer, running
from notifications.adapters.channels.local import LocalOutbox
from notifications.bootstrap import build_app
from notifications.entrypoints.workers import build_dispatcher
from notifications.settings import NotificationsSettings

from .dispatching import Recorder, dispatcher, driven_app
from .events import STARTS, T0, Session, envelope, messages, publish


async def test_a_message_leased_then_its_session_cancelled_is_not_sent(
    make_settings, tmp_path: Path
) -> None:
    outbox = LocalOutbox(tmp_path / "outbox", "Clinic <clinic@example.com>")
    channels = {"email": outbox, "sms": outbox}
    settings = await make_settings(NotificationsSettings, dispatch_enabled=False)
    app = build_app(settings, channels=channels)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_sms=False)))  # one confirmation
        await publish(app, envelope(SessionBooked(**session.facts())))
        sender = build_dispatcher(app.state.runtime, settings, channels)
        leased = await sender.lease(now=T0)
        in_flight = await messages(client, session_id=session.session_id, status="sending")
        cancelled = SessionCancelled(**session.facts(), reason="ill")
        await publish(app, envelope(cancelled, T0 + timedelta(seconds=1)))
        await sender.deliver(leased, now=T0 + timedelta(seconds=2))
        found = await messages(client, session_id=session.session_id)
        detail = await client.get(f"/v1/messages/{in_flight[0]['id']}", headers=bearer("admin"))
        again = await sender.dispatch_once(now=T0 + timedelta(minutes=5))
    assert len(leased) == len(in_flight) == 1
    assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").iterdir())
    assert {m["status"] for m in found} == {"cancelled"}
    assert detail.json()["status"] == "cancelled"
    assert detail.json()["attempts"] == []
    assert again == 0


async def test_a_message_leased_then_its_session_moved_goes_only_for_the_new_time(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    session = Session()
    later = STARTS + timedelta(days=1)
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_sms=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        sender = dispatcher(app, recorder)
        leased = await sender.lease(now=T0)
        moved = SessionRescheduled(**session.facts(later), previous_starts_at=STARTS)
        await publish(app, envelope(moved, T0 + timedelta(seconds=1)))
        await sender.deliver(leased, now=T0 + timedelta(seconds=2))
        sent_at_old_time = list(recorder.sent)
        await sender.dispatch_once(now=T0 + timedelta(minutes=10))
        old = await messages(client, session_id=session.session_id, kind="confirmation")
    assert len(leased) == 1
    assert sent_at_old_time == []
    by_end = {m["expires_at"]: m["status"] for m in old}
    assert by_end == {"2026-06-10T08:00:00Z": "cancelled", "2026-06-11T08:00:00Z": "sent"}
    assert len(recorder.sent) == 1
    assert recorder.sent[0].message_id != str(leased[0][0].id)


async def test_in_a_leased_batch_only_the_cancelled_session_s_message_is_held_back(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder, dispatch_concurrency=2)
    sessions = [Session() for _ in range(5)]
    async with running(app) as client:
        for session in sessions:
            await publish(app, envelope(session.contact(consent_sms=False)))
            await publish(app, envelope(SessionBooked(**session.facts())))
        sender = dispatcher(app, recorder)
        leased = await sender.lease(now=T0)
        cancelled = SessionCancelled(**sessions[2].facts(), reason="ill")
        await publish(app, envelope(cancelled, T0 + timedelta(seconds=1)))
        await sender.deliver(leased, now=T0 + timedelta(seconds=2))
        statuses = [
            {m["status"] for m in await messages(client, session_id=s.session_id)} for s in sessions
        ]
        sent = await messages(client, kind="confirmation", status="sent")
        detail = await client.get(f"/v1/messages/{sent[0]['id']}", headers=bearer("admin"))
    assert len(leased) == 5
    assert len(recorder.sent) == 4
    assert str(sessions[2].session_id) not in {m["session_id"] for m in sent}
    assert statuses[2] == {"cancelled"}
    assert all("sent" in s for i, s in enumerate(statuses) if i != 2)
    assert [a["outcome"] for a in detail.json()["attempts"]] == ["sent"]
    assert detail.json()["attempt_count"] == 1
