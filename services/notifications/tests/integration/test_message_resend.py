"""The message log across patients: filtered by quiet hours and days, newest first; a failed
message sent again, once, by the desk."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import bearer, running
from notifications.adapters.channels import PermanentSendError, TransientSendError

from .dispatching import Recorder, dispatcher, driven_app
from .events import T0, Session, envelope, messages, publish

DESK = bearer("receptionist")


async def failed_confirmation(make_settings, recorder: Recorder):
    """An app whose one confirmation (by SMS) failed for good at T0; its clock a minute on."""
    app = await driven_app(make_settings, recorder)
    app.state.runtime.clock = lambda: T0 + timedelta(minutes=1)
    return app


async def test_a_failed_message_sent_again_goes_once_and_says_who_sent_it(make_settings) -> None:
    recorder = Recorder(PermanentSendError("invalid number"))
    app = await failed_confirmation(make_settings, recorder)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        await dispatcher(app, recorder).dispatch_once(now=T0)
        [failed] = await messages(client, status="failed")
        url = f"/v1/messages/{failed['id']}/resend"
        answers = await asyncio.gather(
            client.post(url, headers=DESK), client.post(url, headers=bearer("admin"))
        )
        again = await client.post(url, headers=DESK)
        await dispatcher(app, recorder).dispatch_once(now=T0 + timedelta(minutes=2))
        detail = (await client.get(f"/v1/messages/{failed['id']}", headers=DESK)).json()

    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert {a.json()["status"] for a in answers} == {"scheduled"}
    assert again.status_code == 200
    assert len(recorder.sent) == 1  # queued once, however often it was asked
    assert detail["status"] == "sent"
    assert [a["outcome"] for a in detail["attempts"]] == ["permanent", "sent"]
    assert detail["resent_at"] is not None


async def test_a_message_sent_again_is_retried_as_a_new_one_would_be(make_settings) -> None:
    """The provider was down for the message's six tries, so it failed; sent again while the
    provider is still down, it is tried again later, not failed at its first refusal."""
    recorder = Recorder(*[TransientSendError("provider unavailable")] * 7)
    app = await failed_confirmation(make_settings, recorder)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        for hour in range(6):
            await dispatcher(app, recorder).dispatch_once(now=T0 + timedelta(hours=hour))
        [failed] = await messages(client, status="failed")
        url = f"/v1/messages/{failed['id']}"
        before = (await client.get(url, headers=DESK)).json()
        app.state.runtime.clock = lambda: T0 + timedelta(hours=6)
        resent = await client.post(f"{url}/resend", headers=DESK)
        await dispatcher(app, recorder).dispatch_once(now=T0 + timedelta(hours=6))
        detail = (await client.get(url, headers=DESK)).json()

    assert [a["outcome"] for a in before["attempts"]] == ["transient"] * 6
    assert resent.status_code == 200, resent.text
    assert [a["outcome"] for a in detail["attempts"]] == ["transient"] * 7
    assert detail["status"] == "scheduled"


async def test_only_a_failed_message_in_time_goes_again_and_only_the_desk_sends_it(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await failed_confirmation(make_settings, recorder)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        scheduled, *_ = await messages(client, status="scheduled")
        url = f"/v1/messages/{scheduled['id']}/resend"
        not_failed = await client.post(url, headers=DESK)
        practitioner = await client.post(url, headers=bearer("practitioner"))
        unknown = await client.post(f"/v1/messages/{session.session_id}/resend", headers=DESK)

    assert not_failed.status_code == 409
    assert not_failed.json()["errors"][0]["field"] == "path.message_id"
    assert practitioner.status_code == 403
    assert unknown.status_code == 404


async def test_the_log_filters_by_day_and_lists_newest_first(make_settings) -> None:
    recorder = Recorder(PermanentSendError("invalid number"))
    app = await failed_confirmation(make_settings, recorder)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        everything = await messages(client, newest_first="true")
        that_day = await messages(client, from_day=T0.date().isoformat())
        later = await messages(client, from_day=(T0 + timedelta(days=30)).date().isoformat())
        held = await messages(client, deferred="true")
        wrong = await client.get(
            "/v1/messages", params={"from_day": "2026-06-02", "to_day": "2026-06-01"}, headers=DESK
        )
        far = await client.get("/v1/messages", params={"to_day": "9999-12-31"}, headers=DESK)

    due = [m["scheduled_for"] for m in everything]
    assert due == sorted(due, reverse=True)
    assert len(due) > 1
    assert that_day
    assert all(m["scheduled_for"] >= T0.date().isoformat() for m in that_day)
    assert later == []
    assert all(m["deferred_from"] is not None for m in held)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "query.to_day"
    assert far.status_code == 422
    assert far.json()["errors"][0]["field"] == "query.to_day"
