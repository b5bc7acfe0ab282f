"""A practitioner reads the messages, and the alerts naming patients, of the patients they treat
only: those with a session with them (issue 28)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from clinic_shared.contracts.events import (
    SessionBooked,
    SessionCancelled,
    SessionFacts,
    SessionRenumbered,
)
from clinic_testing.helpers import bearer, running
from notifications.adapters.channels import PermanentSendError
from notifications.adapters.orm import sessions
from notifications.service_layer.alerts import raise_alert
from notifications.service_layer.scope import open_scope

from .dispatching import Recorder, dispatcher, driven_app
from .events import T0, Session, envelope, publish

ADMIN = bearer("admin")


async def _booked(app: FastAPI, *booked: Session) -> None:
    for session in booked:
        await publish(app, envelope(session.contact()))
        await publish(app, envelope(SessionBooked(**session.facts())))


async def _listed(client: httpx.AsyncClient, headers: dict[str, str], **query: Any) -> set[str]:
    answer = await client.get("/v1/messages", params=query, headers=headers)
    assert answer.status_code == 200, answer.text
    return {m["patient_id"] for m in answer.json()}


async def _a_message_of(client: httpx.AsyncClient, session: Session) -> str:
    answer = await client.get(
        "/v1/messages", params={"patient_id": str(session.patient_id)}, headers=ADMIN
    )
    return str(answer.json()[0]["id"])


async def test_a_practitioner_lists_and_reads_the_messages_of_their_own_patients_only(
    make_settings,
) -> None:
    app = await driven_app(make_settings, Recorder())
    theirs, colleagues = Session(), Session()
    doctor = bearer("practitioner", practitioner_id=theirs.practitioner_id)
    async with running(app) as client:
        await _booked(app, theirs, colleagues)
        own_message = await _a_message_of(client, theirs)
        other_message = await _a_message_of(client, colleagues)

        listed = await _listed(client, doctor)
        asked_for_other = await _listed(client, doctor, patient_id=colleagues.patient_id)
        own = await client.get(f"/v1/messages/{own_message}", headers=doctor)
        other = await client.get(f"/v1/messages/{other_message}", headers=doctor)
        unknown = await client.get(f"/v1/messages/{uuid.uuid4()}", headers=doctor)
        by_admin = await _listed(client, ADMIN)
        by_desk = await client.get(f"/v1/messages/{other_message}", headers=bearer("receptionist"))

    assert listed == {str(theirs.patient_id)}
    assert asked_for_other == set()
    assert own.status_code == 200, own.text
    assert own.json()["patient_id"] == str(theirs.patient_id)
    # the same answer as for a message that does not exist: nothing is revealed
    assert other.status_code == unknown.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    assert str(colleagues.patient_id) not in other.text
    assert by_admin == {str(theirs.patient_id), str(colleagues.patient_id)}
    assert by_desk.status_code == 200


async def test_a_session_with_a_practitioner_makes_all_its_patients_messages_theirs(
    make_settings,
) -> None:
    """Even those of a colleague's session: they treat the patient."""
    app = await driven_app(make_settings, Recorder())
    colleagues = Session()
    covering = Session(patient_id=colleagues.patient_id)  # another session of the same patient
    doctor = bearer("practitioner", practitioner_id=covering.practitioner_id)
    async with running(app) as client:
        await _booked(app, colleagues)
        before = await _listed(client, doctor)
        await publish(app, envelope(SessionBooked(**covering.facts(T0.replace(day=12)))))
        after = await client.get("/v1/messages", headers=doctor)

    assert before == set()
    assert {m["session_id"] for m in after.json()} == {
        str(colleagues.session_id),
        str(covering.session_id),
    }


async def test_a_practitioner_naming_no_one_reads_no_message(make_settings) -> None:
    app = await driven_app(make_settings, Recorder())
    session = Session()
    async with running(app) as client:
        await _booked(app, session)
        message = await _a_message_of(client, session)
        listed = await _listed(client, bearer("practitioner"))
        read = await client.get(f"/v1/messages/{message}", headers=bearer("practitioner"))

    assert listed == set()
    assert read.status_code == 404


@pytest.mark.parametrize("next_event", [SessionCancelled, SessionRenumbered])
async def test_a_session_stored_before_practitioners_were_kept_shows_its_patient_to_no_one_until_its_next_event(  # noqa: E501
    make_settings, next_event: type[SessionFacts]
) -> None:
    """The safe side: a row the migration left without a practitioner is nobody's patient, and
    the session's next event, whichever, names its practitioner."""
    app = await driven_app(make_settings, Recorder())
    session = Session()
    doctor = bearer("practitioner", practitioner_id=session.practitioner_id)
    async with running(app) as client:
        await _booked(app, session)
        async with app.state.runtime.db.session() as db, db.begin():
            await db.execute(sa.update(sessions).values(practitioner_id=None))
        before = await _listed(client, doctor)
        facts = session.facts(sequence=2, previous_sequence=3)
        await publish(app, envelope(next_event.model_validate(facts), T0.replace(hour=10)))
        after = await _listed(client, doctor)

    assert before == set()
    assert after == {str(session.patient_id)}


async def test_a_practitioner_sees_the_alerts_naming_their_patients_and_those_naming_none(
    make_settings,
) -> None:
    recorder = Recorder(PermanentSendError("invalid number"), PermanentSendError("no inbox"))
    app = await driven_app(make_settings, recorder)
    theirs, colleagues = Session(), Session()
    doctor = bearer("practitioner", practitioner_id=theirs.practitioner_id)
    async with running(app) as client:
        for session in (theirs, colleagues):
            await publish(app, envelope(session.contact(consent_email=False)))
            await publish(app, envelope(SessionBooked(**session.facts())))
        await dispatcher(app, recorder).dispatch_once(now=T0)
        async with open_scope(app.state.runtime, now=T0) as scope:
            await raise_alert(scope, "reorder_suggested", "caffeine", {"quantity": 40})
            for session in (theirs, colleagues):
                named = {"session_id": str(session.session_id)}
                details = named | {"patient_id": str(session.patient_id)}
                await raise_alert(scope, "reschedule_requested", named["session_id"], details)
            shared = [{"patient_id": str(theirs.patient_id), "first_name": "Amelia"}]
            await raise_alert(scope, "reply_unmatched", "SM1", {"patients": shared})
            await scope.uow.commit()
        by_doctor = await client.get("/v1/staff-alerts", headers=doctor)
        by_admin = await client.get("/v1/staff-alerts", headers=ADMIN)
        # the dashboard's alerts page reads them grouped: narrowed alike
        groups_by_doctor = await client.get("/v1/staff-alerts/groups", headers=doctor)
        groups_by_admin = await client.get("/v1/staff-alerts/groups", headers=ADMIN)

    def seen(answer: httpx.Response) -> set[tuple[str, str | None]]:
        assert answer.status_code == 200, answer.text
        return {(a["kind"], a["details"].get("patient_id")) for a in answer.json()}

    own, other = str(theirs.patient_id), str(colleagues.patient_id)
    assert seen(by_doctor) == {
        ("reorder_suggested", None),
        ("message_failed", own),
        ("reschedule_requested", own),
    }
    assert seen(by_admin) == seen(by_doctor) | {
        ("message_failed", other),
        ("reschedule_requested", other),
        ("reply_unmatched", None),
    }
    assert seen(groups_by_doctor) == seen(by_doctor)
    assert seen(groups_by_admin) == seen(by_admin)
