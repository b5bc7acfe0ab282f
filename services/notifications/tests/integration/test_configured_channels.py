"""With SMTP and SMS settings, the service sends through them (real servers on free ports)."""

from __future__ import annotations

from datetime import timedelta

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import running
from notifications.bootstrap import build_app
from notifications.domain.sms import segments
from notifications.entrypoints.workers import build_channels, build_dispatcher
from notifications.settings import NotificationsSettings

from .events import STARTS, T0, Session, envelope, messages, publish
from .servers import SID, TOKEN, Mailbox, SmsApi, sms_api_server, smtp_server


async def test_confirmation_by_sms_and_reminder_by_email_reach_the_real_servers(
    make_settings,
) -> None:
    mailbox, api = Mailbox(), SmsApi()
    session = Session()
    with smtp_server(mailbox) as smtp_port:
        async with sms_api_server(api) as api_url:
            settings = await make_settings(
                NotificationsSettings,
                dispatch_enabled=False,
                smtp_host="127.0.0.1",
                smtp_port=smtp_port,
                smtp_security="none",
                sms_api_url=api_url,
                sms_account_sid=SID,
                sms_auth_token=TOKEN,
                sms_from="+33700000000",
            )
            channels = build_channels(settings)
            app = build_app(settings, channels=channels)
            async with running(app) as client:
                await publish(app, envelope(session.contact()))
                await publish(app, envelope(SessionBooked(**session.facts())))
                sender = build_dispatcher(app.state.runtime, settings, channels)
                await sender.dispatch_once(now=T0)
                await sender.dispatch_once(now=STARTS - timedelta(hours=48))
                sent = await messages(client, status="sent")
            await channels["sms"].close()  # type: ignore[attr-defined]
            await channels["email"].close()  # type: ignore[attr-defined]
    assert sorted((m["kind"], m["channel"]) for m in sent) == [
        ("confirmation", "email"),
        ("confirmation", "sms"),
        ("reminder", "email"),
    ]
    [sms] = api.received
    assert sms["To"] == "+33612345678"
    assert "session 3 of 10 is booked for Wednesday 10 June at 10:00" in sms["Body"]
    assert [recipients for recipients, _ in mailbox.received] == [["amelia@example.com"]] * 2
    assert [email["Subject"] for _, email in mailbox.received] == [
        "Your session 3 of 10 on Wednesday 10 June at 10:00",
        "Reminder: session 3 of 10 on Wednesday 10 June at 10:00",
    ]


async def test_an_sms_to_a_name_outside_gsm7_goes_intact_and_records_its_segments(
    make_settings,
) -> None:
    """Issue 18 item 13: Владимир's confirmation reaches the SMS provider with his name (as
    UCS-2), and the message records the segments it took."""
    api, session = SmsApi(), Session()
    async with sms_api_server(api) as api_url:
        settings = await make_settings(
            NotificationsSettings,
            dispatch_enabled=False,
            sms_api_url=api_url,
            sms_account_sid=SID,
            sms_auth_token=TOKEN,
            sms_from="+33700000000",
        )
        channels = build_channels(settings)
        app = build_app(settings, channels=channels)
        async with running(app) as client:
            contact = session.contact(consent_email=False).model_copy(
                update={"first_name": "Владимир", "preferred_channel": "sms"}
            )
            await publish(app, envelope(contact))
            await publish(app, envelope(SessionBooked(**session.facts())))
            await build_dispatcher(app.state.runtime, settings, channels).dispatch_once(now=T0)
            [sent] = await messages(client, status="sent")
        await channels["sms"].close()  # type: ignore[attr-defined]
    [sms] = api.received
    assert "Владимир" in sms["Body"]
    assert sent["segments"] == segments(sms["Body"]) >= 2  # UCS-2: 67 characters a segment
