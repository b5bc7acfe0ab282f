"""A captured signed webhook request acts once: re-split, repeated or raced, and only with the
provider's own fields and message ids (issue 28, item 4)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from clinic_shared.crypto import new_key
from clinic_testing.helpers import bearer, running
from notifications.adapters.orm import outbox
from notifications.domain.signature import twilio_signature
from notifications.settings import NotificationsSettings

from .events import Session
from .test_two_way_sms import PHONE, TOKEN, book_two, sid, signed, sms_app

INBOUND = "/v1/webhooks/sms/inbound"
CLINIC = "+33700000000"


def captured_and_resplit(keyword: str) -> tuple[dict[str, str], dict[str, str]]:
    """A reply the provider signed, and the same signed text re-split into other well-formed,
    known parameters with another message id: the body swallowed what follows it."""
    tail = f"From{PHONE}MessageSid{sid(2)}NumMedia"
    captured = {"Body": f"{keyword} {tail}", "From": PHONE, "MessageSid": sid(1), "To": CLINIC}
    resplit = {
        "Body": f"{keyword} ",
        "From": PHONE,
        "MessageSid": sid(2),
        "NumMedia": f"From{PHONE}MessageSid{sid(1)}",
        "To": CLINIC,
    }
    url = f"http://testserver{INBOUND}"
    assert twilio_signature(TOKEN, url, captured) == twilio_signature(TOKEN, url, resplit)
    return captured, resplit


async def replay(client: Any, captured: dict[str, str], form: dict[str, str]) -> Any:
    """`form` sent with the signature the provider put on `captured`."""
    signature = twilio_signature(TOKEN, f"http://testserver{INBOUND}", captured)
    return await client.post(INBOUND, data=form, headers={"X-Twilio-Signature": signature})


async def consent_history(client: Any, session: Session) -> list[tuple[str, str]]:
    path = f"/v1/patients/{session.patient_id}/preferences"
    found = (await client.get(path, headers=bearer("receptionist"))).json()
    return [(e["action"], e["source"]) for e in found["consent_history"]]


async def test_a_resplit_replay_of_a_captured_stop_is_refused(make_settings) -> None:
    app = await sms_app(make_settings)
    session = Session()
    captured, resplit = captured_and_resplit("STOP")
    plain = {"Body": "STOP", "From": PHONE, "MessageSid": sid(5), "To": CLINIC}
    moved_to = {"Body": "STOP", "From": PHONE, "MessageSid": f"{sid(5)}To{CLINIC}"}  # To moved
    async with running(app) as client:
        await book_two(app, session)
        stop = await replay(client, captured, captured)
        start = await signed(
            client, INBOUND, {"Body": "START", "From": PHONE, "MessageSid": sid(3), "To": CLINIC}
        )
        replayed = await replay(client, captured, resplit)
        moved = await replay(client, plain, moved_to)
        history = await consent_history(client, session)

    assert (stop.status_code, start.status_code) == (200, 200)
    assert replayed.status_code == 403, replayed.text
    assert replayed.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in replayed.json()["errors"]] == ["header.X-Twilio-Signature"]
    assert moved.status_code == 400, moved.text
    assert history == [
        ("opt_in", "staff"),
        ("opt_in", "staff"),
        ("opt_out", "sms_reply"),  # once: the replays changed nothing
        ("opt_in", "sms_reply"),
    ]


async def test_concurrent_replays_of_one_signed_request_apply_once(make_settings) -> None:
    app = await sms_app(make_settings)
    session = Session()
    captured, resplit = captured_and_resplit("C")
    async with running(app) as client:
        await book_two(app, session)
        answers = await asyncio.gather(
            *(replay(client, captured, form) for form in (captured, resplit) * 3)
        )
        async with app.state.runtime.db.session() as db:
            confirmed = await db.scalar(
                sa.select(sa.func.count())
                .select_from(outbox)
                .where(outbox.c.type == "notifications.session.confirmed")
            )
    # whichever split commits first acts; its twin is a redelivery, the other split refused
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 403, 403, 403]
    assert confirmed == 1


async def test_an_unknown_or_repeated_field_is_a_400_naming_it(make_settings) -> None:
    app = await sms_app(make_settings)
    session = Session()
    stop = {"Body": "STOP", "From": PHONE, "MessageSid": sid(1), "To": CLINIC}
    async with running(app) as client:
        await book_two(app, session)
        unknown = await signed(client, INBOUND, stop | {"Evil": "x"})
        not_status = await signed(
            client, "/v1/webhooks/sms/status", {"MessageSid": sid(1), "Body": "STOP"}
        )
        form = {"content-type": "application/x-www-form-urlencoded"}
        repeated = await client.post(
            INBOUND, content=f"MessageSid={sid(1)}&Body=STOP&Body=C".encode(), headers=form
        )
        history = await consent_history(client, session)
        with_media = await signed(
            client,
            INBOUND,
            {"Body": "hello", "From": PHONE, "MessageSid": sid(4), "NumMedia": "1"}
            | {"MediaUrl0": "https://api.example/m", "MediaContentType0": "image/jpeg"},
        )

    refused = [(unknown, "body.Evil"), (not_status, "body.Body"), (repeated, "body.Body")]
    for answer, field in refused:
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert history == [("opt_in", "staff"), ("opt_in", "staff")]  # the STOP did nothing
    assert with_media.status_code == 200, with_media.text


def production(monkeypatch: pytest.MonkeyPatch, **extra: str) -> NotificationsSettings:
    env = {
        "CLINIC_ENV": "production",
        "CLINIC_JWT_SECRET": "Vq3x9LmZ2pR7tK8wN4cY6bH1jF5sD0gA",
        "AMQP_URL": "amqp://notifications:pw@rabbitmq:5672/clinic",
        "CLINIC_DATA_KEYS": f"k1:{new_key()}",
        "CLINIC_INDEX_KEY": new_key(),
        "CLINIC_PATIENT_LINK_KEY": "q8Zt2Wn5Kp0Xv7Rb4Lm9Hc3Yf6Gd1Js8",
        "NOTIFICATIONS_SMS_AUTH_TOKEN": "provider-token",
    } | extra
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return NotificationsSettings()


def test_production_refuses_to_start_without_the_webhook_base_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NOTIFICATIONS_SMS_WEBHOOK_BASE_URL", raising=False)
    with pytest.raises(ValidationError, match="NOTIFICATIONS_SMS_WEBHOOK_BASE_URL"):
        production(monkeypatch)
    with pytest.raises(ValidationError, match="absolute http"):
        production(monkeypatch, NOTIFICATIONS_SMS_WEBHOOK_BASE_URL="clinic.example")
    url = "https://clinic.example"
    configured = production(monkeypatch, NOTIFICATIONS_SMS_WEBHOOK_BASE_URL=url)
    assert configured.sms_webhook_base_url == url
