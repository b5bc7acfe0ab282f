"""The local outbox of `make run`: each message a file, and the numbers it is told to refuse
refused as a carrier refuses a number not in service, so a failed SMS can be seen without one."""

from __future__ import annotations

from pathlib import Path

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import running
from notifications.bootstrap import build_app
from notifications.entrypoints.workers import build_channels, build_dispatcher
from notifications.settings import NotificationsSettings

from .events import T0, Session, envelope, messages, publish

NOT_IN_SERVICE = "+33612345999"


async def test_an_sms_to_a_number_refused_fails_and_others_are_written(
    make_settings, tmp_path: Path
) -> None:
    settings = await make_settings(
        NotificationsSettings,
        dispatch_enabled=False,
        outbox_dir=tmp_path,
        local_undeliverable_numbers=frozenset({NOT_IN_SERVICE}),
    )
    channels = build_channels(settings)
    app = build_app(settings, channels=channels)
    refused, reached = Session(), Session()
    async with running(app) as client:
        for session, phone in ((refused, NOT_IN_SERVICE), (reached, "+33612345678")):
            await publish(app, envelope(session.contact(phone=phone, consent_email=False)))
            await publish(app, envelope(SessionBooked(**session.facts())))
        await build_dispatcher(app.state.runtime, settings, channels).dispatch_once(now=T0)
        failed = await messages(client, session_id=refused.session_id, kind="confirmation")
        sent = await messages(client, session_id=reached.session_id, kind="confirmation")

    assert [(m["channel"], m["status"]) for m in failed] == [("sms", "failed")]
    assert [(m["channel"], m["status"]) for m in sent] == [("sms", "sent")]
    written = [p.read_text() for p in tmp_path.glob("*.sms.txt")]
    assert len(written) == 1
    assert written[0].startswith("To: +33612345678\n")
