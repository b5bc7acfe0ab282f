"""Staff change a patient's preferences; the SMS provider reports deliveries."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from clinic_shared.contracts.events import SessionBooked
from clinic_shared.db import utcnow
from clinic_testing.helpers import bearer, running

from .dispatching import Recorder, dispatcher, driven_app
from .events import T0, Session, envelope, messages, publish
from .test_two_way_sms import TOKEN, published, signed

PREFERENCES = {"preferred_channel": "email", "language": "fr", "consent_sms": True}


async def test_withdrawing_email_consent_cancels_pending_emails_and_is_ledgered(
    make_settings,
) -> None:
    app = await driven_app(make_settings, Recorder())
    session = Session()
    path = f"/v1/patients/{session.patient_id}/preferences"
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        await publish(app, envelope(SessionBooked(**session.facts())))
        changed = await client.put(
            path, json=PREFERENCES | {"consent_email": False}, headers=bearer("receptionist")
        )
        emails = await messages(client, patient_id=session.patient_id, channel="email")
        unknown = await client.get(
            f"/v1/patients/{uuid.uuid4()}/preferences", headers=bearer("admin")
        )
        practitioner = await client.get(path, headers=bearer("practitioner"))
    assert changed.status_code == 200
    body = changed.json()
    assert (body["preferred_channel"], body["language"], body["consent_email"]) == (
        "email",
        "fr",
        False,
    )
    assert [(e["channel"], e["action"], e["source"]) for e in body["consent_history"]] == [
        ("sms", "opt_in", "staff"),  # at registration, at the desk
        ("email", "opt_in", "staff"),
        ("email", "opt_out", "staff"),
    ]
    assert {m["status"] for m in emails} == {"cancelled"}
    assert unknown.status_code == 404
    assert practitioner.status_code == 403


async def test_staff_give_back_the_sms_they_withdrew_and_each_change_is_announced(
    make_settings,
) -> None:
    app = await driven_app(make_settings, Recorder())
    session = Session()
    path = f"/v1/patients/{session.patient_id}/preferences"
    body = PREFERENCES | {"consent_email": True}
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        withdrawn = await client.put(
            path, json=body | {"consent_sms": False}, headers=bearer("receptionist")
        )
        given_back = await client.put(path, json=body, headers=bearer("receptionist"))
        events = await published(app, 2)
    assert (withdrawn.status_code, given_back.status_code) == (200, 200)
    changes = [json.loads(e["body"])["data"] for e in events]
    assert [e["type"] for e in events] == ["notifications.consent.changed"] * 2
    assert [(c["consent_sms"], c["consent_email"], c["revision"]) for c in changes] == [
        (False, True, 2),  # revision 1: the consent given at registration
        (True, True, 3),
    ]


async def test_staff_giving_sms_consent_plans_the_sms_reminders_of_upcoming_sessions(
    make_settings,
) -> None:
    app = await driven_app(make_settings, Recorder())
    session = Session()
    now = utcnow()
    path = f"/v1/patients/{session.patient_id}/preferences"
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_sms=False), now))
        await publish(app, envelope(SessionBooked(**session.facts(now + timedelta(days=6))), now))
        before = await messages(client, patient_id=session.patient_id, channel="sms")
        given = await client.put(
            path, json=PREFERENCES | {"consent_email": True}, headers=bearer("receptionist")
        )
        after = await messages(client, patient_id=session.patient_id, channel="sms")
    assert given.status_code == 200
    assert before == []
    assert [(m["kind"], m["status"]) for m in after] == [("reminder", "scheduled")]


def provider_sid(message_id: str) -> str:
    """The id the Recorder's provider gave the message."""
    return f"SM{uuid.UUID(message_id).hex}"


async def test_a_delivery_report_marks_the_sent_sms_delivered_or_failed(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder, sms_auth_token=TOKEN)
    first, second = Session(), Session()
    async with running(app) as client:
        for session in (first, second):
            await publish(app, envelope(session.contact(consent_email=False)))
            await publish(app, envelope(SessionBooked(**session.facts())))
        await dispatcher(app, recorder).dispatch_once(now=T0)
        sent = {m["patient_id"]: m["id"] for m in await messages(client, status="sent")}
        reports = [
            {"MessageSid": provider_sid(sent[str(first.patient_id)]), "MessageStatus": "delivered"},
            {"MessageSid": provider_sid(sent[str(second.patient_id)]),
             "MessageStatus": "undelivered", "ErrorCode": "30005"},
            {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"},
        ]  # fmt: skip
        answers = [await signed(client, "/v1/webhooks/sms/status", r) for r in reports]
        delivered = await messages(client, patient_id=first.patient_id, kind="confirmation")
        failed = await messages(client, patient_id=second.patient_id, kind="confirmation")
    assert [a.status_code for a in answers] == [204, 204, 204]
    assert delivered[0]["status"] == "delivered"
    assert delivered[0]["delivered_at"] is not None
    assert (failed[0]["status"], failed[0]["last_error"]) == ("failed", "undelivered (code 30005)")
