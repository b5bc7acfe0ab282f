"""Families share phones (issue 18 items 8 and 12): a reply from a number several patients have
answers the last reminder or confirmation sent to it, and a STOP from it stops them all."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import bearer, running
from notifications.adapters.orm import outbox
from notifications.entrypoints.workers import build_digest

from .dispatching import Recorder, dispatcher, driven_app
from .events import STARTS, T0, Session, envelope, messages, publish
from .test_two_way_sms import TOKEN, reply, sid

DESK = bearer("receptionist")
DAUGHTERS = STARTS + timedelta(days=1)


async def family(app: FastAPI, *, daughter_booked_at: datetime = T0) -> tuple[Session, Session]:
    """Mother and daughter on one phone; the mother's session first, each booked by SMS too."""
    mother, daughter = Session(), Session()
    await publish(app, envelope(mother.contact(), T0))
    lily = daughter.contact().model_copy(update={"first_name": "Lily"})
    await publish(app, envelope(lily, T0))
    await publish(app, envelope(SessionBooked(**mother.facts(STARTS)), T0))
    await publish(app, envelope(SessionBooked(**daughter.facts(DAUGHTERS)), daughter_booked_at))
    return mother, daughter


async def answer(app: FastAPI, client: Any, body: str, sid: str, *, at: datetime) -> None:
    app.state.runtime.clock = lambda: at
    response = await reply(client, body, sid)
    assert response.status_code == 200, response.text


async def emitted(app: FastAPI) -> list[tuple[str, str]]:
    """The session events notifications wrote to its outbox: (type, session id)."""
    async with app.state.runtime.db.session() as session:
        rows = await session.execute(
            sa.select(outbox.c.type, outbox.c.body).where(outbox.c.type.like("%.session.%"))
        )
        return [(r.type, _session_of(r.body)) for r in rows]


def _session_of(body: str) -> str:
    return str(json.loads(body)["data"]["session_id"])


async def test_a_c_from_a_shared_number_confirms_the_session_last_texted(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder, sms_auth_token=TOKEN)
    sender = dispatcher(app, recorder)
    async with running(app) as client:
        mother, daughter = await family(app, daughter_booked_at=T0 + timedelta(hours=2))
        await sender.dispatch_once(now=T0)  # the mother's confirmation
        await sender.dispatch_once(now=T0 + timedelta(hours=2))  # then the daughter's
        await answer(app, client, "C", sid(1), at=T0 + timedelta(hours=3))
        await sender.dispatch_once(now=STARTS - timedelta(hours=24))  # the mother's reminder
        await answer(app, client, "C", sid(2), at=STARTS - timedelta(hours=23))
        await answer(app, client, "R", sid(3), at=STARTS - timedelta(hours=22))
        events = await emitted(app)
        alerts = (await client.get("/v1/staff-alerts", headers=DESK)).json()
    assert events == [
        ("notifications.session.confirmed", str(daughter.session_id)),  # not the earlier session
        ("notifications.session.confirmed", str(mother.session_id)),
        ("notifications.session.cancel_requested", str(mother.session_id)),
    ]
    assert [a["kind"] for a in alerts] == ["reschedule_requested"]


async def test_nothing_texted_in_a_day_confirms_nothing_and_alerts_staff_naming_them(
    make_settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder()
    app = await driven_app(make_settings, recorder, sms_auth_token=TOKEN)
    sender = dispatcher(app, recorder)
    async with running(app) as client:
        mother, daughter = await family(app, daughter_booked_at=T0 + timedelta(hours=2))
        await sender.dispatch_once(now=T0)
        await sender.dispatch_once(now=T0 + timedelta(hours=2))
        await answer(app, client, "C", sid(1), at=T0 + timedelta(hours=26, minutes=1))
        events = await emitted(app)
        alerts = (await client.get("/v1/staff-alerts", headers=DESK)).json()
        export = await client.get(
            f"/v1/patients/{mother.patient_id}/export", headers=bearer("admin")
        )
        exported = export.json()["staff_alerts"]
    assert events == []
    assert [(a["kind"], a["subject"]) for a in alerts] == [("reply_unmatched", sid(1))]
    details = alerts[0]["details"]
    assert details["intent"] == "confirm"
    assert "24 hours" in details["reason"]
    assert sorted((p["patient_id"], p["first_name"]) for p in details["patients"]) == sorted(
        [(str(mother.patient_id), "Amelia"), (str(daughter.patient_id), "Lily")]
    )
    assert "612345678" not in str(details)
    # the mother's export shows the alert about her, without naming her daughter
    assert exported[0]["details"]["patients"] == [
        {"patient_id": str(mother.patient_id), "first_name": "Amelia"}
    ]
    assert exported[0]["details"]["others_named"] == 1
    assert "Lily" not in str(exported)
    assert str(daughter.patient_id) not in str(exported)
    ours = [r for r in caplog.records if r.name.startswith(("notifications", "clinic_shared"))]
    assert "612345678" not in "\n".join(f"{r.getMessage()} {vars(r)}" for r in ours)


async def test_texts_to_two_patients_in_one_minute_make_a_reply_ambiguous(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(
        make_settings, recorder, sms_auth_token=TOKEN, staff_alert_recipients="desk@clinic.example"
    )
    sender = dispatcher(app, recorder)
    runtime = app.state.runtime
    async with running(app) as client:
        mother, daughter = await family(app)
        await sender.dispatch_once(now=T0)  # both confirmations at once
        await answer(app, client, "R", sid(1), at=T0 + timedelta(hours=1))
        events = await emitted(app)
        alerts = (await client.get("/v1/staff-alerts", headers=DESK)).json()
        sent_before = len(recorder.sent)
        digest = build_digest(runtime, runtime.settings, {"email": recorder, "sms": recorder})
        await digest.send_once(now=T0 + timedelta(hours=1))
    assert events == []
    [email] = recorder.sent[sent_before:]
    assert "matched no session" in email.text
    assert str(mother.patient_id) in email.text
    assert str(daughter.patient_id) in email.text
    assert "612345678" not in email.text
    assert [(a["kind"], a["details"]["intent"]) for a in alerts] == [
        ("reply_unmatched", "reschedule")
    ]
    assert "one minute" in alerts[0]["details"]["reason"]
    assert {p["first_name"] for p in alerts[0]["details"]["patients"]} == {"Amelia", "Lily"}


async def test_a_stop_from_a_shared_number_stops_every_patient_on_it(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder, sms_auth_token=TOKEN)
    async with running(app) as client:
        mother, daughter = await family(app)
        await answer(app, client, "STOP", sid(1), at=T0 + timedelta(hours=1))
        sms = await messages(client, channel="sms")
        consent = [
            (await client.get(f"/v1/patients/{p}/preferences", headers=DESK)).json()
            for p in (mother.patient_id, daughter.patient_id)
        ]
    assert [(c["consent_sms"], c["consent_email"]) for c in consent] == [(False, True)] * 2
    assert {m["status"] for m in sms} == {"cancelled"}
    assert {m["patient_id"] for m in sms} == {str(mother.patient_id), str(daughter.patient_id)}
