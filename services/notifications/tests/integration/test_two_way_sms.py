"""Replies by SMS: signed webhooks, C confirms, R asks to move, STOP and START at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from clinic_shared.contracts.events import PatientUpdated, SessionBooked
from clinic_shared.db import utcnow
from clinic_testing.helpers import bearer, eventually, running
from notifications.adapters.orm import outbox
from notifications.bootstrap import build_app
from notifications.domain.signature import twilio_signature
from notifications.settings import NotificationsSettings

from .events import Session, envelope, messages, publish

TOKEN = "twilio-test-token"
PHONE = "+33612345678"


def sid(n: int) -> str:
    """A message id of the provider's shape: SM and 32 hex digits."""
    return f"SM{n:032x}"


async def sms_app(make_settings: Any) -> FastAPI:
    settings = await make_settings(
        NotificationsSettings, dispatch_enabled=False, sms_auth_token=TOKEN
    )
    return build_app(settings)


async def signed(
    client: httpx.AsyncClient, path: str, form: dict[str, str], token: str = TOKEN
) -> httpx.Response:
    signature = twilio_signature(token, f"http://testserver{path}", form)
    return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})


async def reply(client: httpx.AsyncClient, body: str, sid: str) -> httpx.Response:
    form = {"MessageSid": sid, "From": PHONE, "To": "+33700000000", "Body": body}
    return await signed(client, "/v1/webhooks/sms/inbound", form)


async def published(app: FastAPI, count: int) -> list[dict[str, Any]]:
    """The events notifications emitted, once the relay has published `count` of them."""

    async def rows() -> list[Any]:
        async with app.state.runtime.db.session() as session:
            result = await session.execute(sa.select(outbox).where(outbox.c.status == "published"))
            return list(result.all())

    done = await eventually(rows, until=lambda r: len(r) >= count)
    return [{"type": r.type, "body": r.body} for r in done]


async def book_two(app: FastAPI, session: Session, **contact: Any) -> tuple[Any, Any]:
    now = utcnow()
    first, second = now + timedelta(days=2), now + timedelta(days=12)
    await publish(app, envelope(session.contact(**contact), now))
    await publish(app, envelope(SessionBooked(**session.facts(second)), now))
    earlier = Session(patient_id=session.patient_id, course_id=session.course_id)
    await publish(app, envelope(SessionBooked(**earlier.facts(first)), now))
    return earlier.session_id, session.session_id


async def test_c_confirms_the_patients_next_session_once(make_settings) -> None:
    app = await sms_app(make_settings)
    session = Session()
    async with running(app) as client:
        next_id, _ = await book_two(app, session)
        answers = [await reply(client, "C", sid(1)), await reply(client, "C", sid(1))]
        events = await published(app, 1)
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].text.endswith("<Response/>")
    assert [e["type"] for e in events] == ["notifications.session.confirmed"]
    assert str(next_id) in events[0]["body"]


async def test_r_asks_to_reschedule_and_alerts_staff_once_a_day(make_settings) -> None:
    app = await sms_app(make_settings)
    session = Session()
    async with running(app) as client:
        next_id, _ = await book_two(app, session)
        await reply(client, "R", sid(1))
        await reply(client, "r", sid(2))
        events = await published(app, 2)
        alerts = await client.get("/v1/staff-alerts", headers=bearer("receptionist"))
    assert {e["type"] for e in events} == {"notifications.session.cancel_requested"}
    assert [(a["kind"], a["subject"]) for a in alerts.json()] == [
        ("reschedule_requested", str(next_id))
    ]


async def test_stop_takes_effect_at_once_and_outranks_the_desk_until_start(make_settings) -> None:
    app = await sms_app(make_settings)
    session = Session()
    path = f"/v1/patients/{session.patient_id}/preferences"
    async with running(app) as client:
        await book_two(app, session)
        await reply(client, "STOP", sid(1))
        sms = await messages(client, patient_id=session.patient_id, channel="sms")
        desk_update = PatientUpdated(**session.contact(consent_sms=True).model_dump())
        await publish(app, envelope(desk_update, utcnow() + timedelta(seconds=1)))
        after_desk = (await client.get(path, headers=bearer("receptionist"))).json()
        switch_on = after_desk | {"consent_sms": True}
        switch_on.pop("consent_history")
        refused = await client.put(path, json=switch_on, headers=bearer("receptionist"))
        await reply(client, "START", sid(2))
        restarted = (await client.get(path, headers=bearer("receptionist"))).json()
    assert {m["status"] for m in sms} == {"cancelled"}
    assert after_desk["consent_sms"] is False
    assert refused.status_code == 409
    assert restarted["consent_sms"] is True
    assert [(e["action"], e["source"]) for e in restarted["consent_history"]] == [
        ("opt_in", "staff"),  # SMS and email, at registration
        ("opt_in", "staff"),
        ("opt_out", "sms_reply"),
        ("opt_in", "sms_reply"),
    ]


async def test_unsigned_or_mis_signed_webhooks_are_403_problems(make_settings) -> None:
    app = await sms_app(make_settings)
    form = {"MessageSid": sid(1), "From": PHONE, "Body": "STOP"}
    async with running(app) as client:
        unsigned = await client.post("/v1/webhooks/sms/inbound", data=form)
        forged = await signed(client, "/v1/webhooks/sms/inbound", form, token="guess")
        status = await signed(client, "/v1/webhooks/sms/status", form, token="guess")
    assert [r.status_code for r in (unsigned, forged, status)] == [403, 403, 403]
    assert unsigned.headers["content-type"] == "application/problem+json"


async def test_a_signed_form_without_a_well_formed_message_sid_is_a_400_naming_it(
    make_settings,
) -> None:
    app = await sms_app(make_settings)
    status = "/v1/webhooks/sms/status"
    async with running(app) as client:
        empty = await signed(client, "/v1/webhooks/sms/inbound", {})
        too_long = await signed(client, status, {"MessageSid": "S" * 65})
        short = await signed(client, "/v1/webhooks/sms/inbound", {"MessageSid": "SM1"})
        upper = await signed(client, status, {"MessageSid": sid(0xABC).upper()})
        sms_sid = await signed(client, status, {"MessageSid": sid(1), "SmsSid": "SM1"})

    for answer, field in [
        *[(a, "body.MessageSid") for a in (empty, too_long, short, upper)],
        (sms_sid, "body.SmsSid"),
    ]:
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_a_flood_of_webhook_calls_is_turned_away_with_429_and_a_wait(make_settings) -> None:
    settings = await make_settings(
        NotificationsSettings,
        dispatch_enabled=False,
        sms_auth_token=TOKEN,
        webhook_rate_limit=3,
        webhook_rate_window_seconds=60,
    )
    app = build_app(settings)
    form = {"MessageSid": sid(9), "MessageStatus": "delivered"}
    async with running(app) as client:
        answers = [await signed(client, "/v1/webhooks/sms/status", form) for _ in range(3)]
        flooded = await signed(client, "/v1/webhooks/sms/status", form)
        unsigned = await client.post("/v1/webhooks/sms/inbound", data=form)

    assert [a.status_code for a in answers] == [204, 204, 204]
    assert flooded.status_code == 429
    assert flooded.headers["content-type"] == "application/problem+json"
    assert 1 <= int(flooded.headers["retry-after"]) <= 60
    assert unsigned.status_code == 429  # counted before the signature is even checked


async def test_stop_then_a_booking_plans_no_sms_but_the_email_still_goes(make_settings) -> None:
    app = await sms_app(make_settings)
    session = Session()
    now = utcnow()
    async with running(app) as client:
        await publish(app, envelope(session.contact(), now))
        await reply(client, "STOP", sid(1))
        later = now + timedelta(seconds=1)
        await publish(app, envelope(SessionBooked(**session.facts(now + timedelta(days=5))), later))
        planned = await messages(client, patient_id=session.patient_id)
    assert sorted((m["kind"], m["channel"]) for m in planned) == [
        ("confirmation", "email"),
        ("reminder", "email"),
    ]


async def test_behind_a_proxy_the_signature_covers_the_public_url(make_settings) -> None:
    public = "https://clinic.example/notifications"
    settings = await make_settings(
        NotificationsSettings,
        dispatch_enabled=False,
        sms_auth_token=TOKEN,
        sms_webhook_base_url=public,
    )
    app = build_app(settings)
    form = {"MessageSid": sid(1), "From": PHONE, "Body": "hello"}
    path = "/v1/webhooks/sms/inbound"
    async with running(app) as client:
        internal = await signed(client, path, form)
        signature = twilio_signature(TOKEN, public + path, form)
        external = await client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert (internal.status_code, external.status_code) == (403, 200)


async def test_start_brings_back_the_sms_reminders_of_upcoming_sessions(make_settings) -> None:
    app = await sms_app(make_settings)
    session = Session()
    now = utcnow()
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_email=False), now))
        booked = SessionBooked(**session.facts(now + timedelta(days=6)))
        await publish(app, envelope(booked, now))
        before = await messages(client, patient_id=session.patient_id)
        await reply(client, "STOP", sid(1))
        await reply(client, "START", sid(2))
        after = await messages(client, patient_id=session.patient_id)
    assert sorted((m["kind"], m["status"]) for m in before) == [
        ("confirmation", "scheduled"),
        ("reminder", "scheduled"),
    ]
    assert sorted((m["kind"], m["status"]) for m in after) == [
        ("confirmation", "cancelled"),
        ("reminder", "scheduled"),
    ]
    assert {m["id"] for m in after} == {m["id"] for m in before}  # revived, not duplicated


async def test_a_body_that_is_not_utf8_is_a_400_problem_before_the_signature(
    make_settings,
) -> None:
    app = await sms_app(make_settings)
    form = {"content-type": "application/x-www-form-urlencoded"}
    async with running(app) as client:
        raw = [
            await client.post(path, content=b"MessageSid=SM1&Body=\xff\xfe", headers=form)
            for path in ("/v1/webhooks/sms/inbound", "/v1/webhooks/sms/status")
        ]
        encoded = await client.post(
            "/v1/webhooks/sms/inbound", content=b"MessageSid=SM1&Body=%FF", headers=form
        )
    for answer in (*raw, encoded):
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["detail"] == "The form is not UTF-8 text."
