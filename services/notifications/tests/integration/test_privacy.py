"""Phone numbers and emails never reach our log records (the formatter's masking is a last
resort). Third-party loggers are out of scope."""

from __future__ import annotations

import logging

import pytest

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import running
from notifications.adapters.channels import PermanentSendError

from .dispatching import Recorder, dispatcher, driven_app
from .events import T0, Session, envelope, publish
from .test_two_way_sms import TOKEN, reply, sid


async def test_booking_sending_failing_and_replying_log_no_contact_details(
    make_settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(PermanentSendError("invalid number"))
    app = await driven_app(make_settings, recorder, sms_auth_token=TOKEN)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        await publish(app, envelope(SessionBooked(**session.facts())))
        await dispatcher(app, recorder).dispatch_once(now=T0)
        stopped = await reply(client, "STOP", sid(1))
    assert stopped.status_code == 200  # the STOP was taken, and logged without the number
    ours = [r for r in caplog.records if r.name.startswith(("notifications", "clinic_shared"))]
    raw = "\n".join(f"{r.getMessage()} {vars(r)}" for r in ours)
    assert "message failed" in raw
    for secret in ("612345678", "amelia@example.com"):
        assert secret not in raw
