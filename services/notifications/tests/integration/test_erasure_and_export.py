"""A patient erased in scheduling is forgotten here; an export shows all that is held about them."""

from __future__ import annotations

from datetime import timedelta

from clinic_shared.contracts.events import PatientErased, PatientUpdated, SessionBooked
from clinic_testing.helpers import bearer, running

from .dispatching import Recorder, driven_app
from .events import T0, Session, envelope, messages, publish
from .test_two_way_sms import TOKEN, book_two, reply, sid, sms_app

ADMIN = bearer("admin")


async def test_erasure_forgets_the_contact_consent_and_unsent_messages_for_good(
    make_settings,
) -> None:
    app = await driven_app(make_settings, Recorder(), sms_auth_token=TOKEN)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact()), envelope(SessionBooked(**session.facts())))
        await reply(client, "STOP", sid(1))
        before = await client.get(f"/v1/patients/{session.patient_id}/export", headers=ADMIN)
        assert before.json()["contact"]["phone"] == "+33612345678"
        ledger = [(r["channel"], r["action"]) for r in before.json()["consent_ledger"]]
        assert ledger == [("sms", "opt_in"), ("email", "opt_in"), ("sms", "opt_out")]
        assert before.json()["messages"]

        erased = PatientErased(patient_id=session.patient_id, erased_at=T0 + timedelta(hours=1))
        await publish(app, envelope(erased, T0 + timedelta(hours=1)))
        await publish(app, envelope(erased, T0 + timedelta(hours=1)))
        late = PatientUpdated(**session.contact().model_dump())
        await publish(app, envelope(late, T0 + timedelta(hours=2)))

        after = (
            await client.get(f"/v1/patients/{session.patient_id}/export", headers=ADMIN)
        ).json()
        contact = after["contact"]
        assert (contact["first_name"], contact["phone"], contact["email"]) == ("erased", None, None)
        assert after["consent_ledger"] == []
        assert {m["status"] for m in await messages(client, patient_id=session.patient_id)} <= {
            "cancelled"
        }


async def test_an_erasure_arriving_before_the_registration_still_wins(make_settings) -> None:
    app = await driven_app(make_settings, Recorder())
    session = Session()
    async with running(app) as client:
        erased = PatientErased(patient_id=session.patient_id, erased_at=T0)
        await publish(
            app, envelope(erased, T0), envelope(session.contact(), T0 - timedelta(days=1))
        )
        contact = await client.get(f"/v1/contacts/{session.patient_id}", headers=ADMIN)
        assert contact.json()["phone"] is None


async def test_only_an_admin_exports_a_patient(make_settings) -> None:
    app = await driven_app(make_settings, Recorder())
    async with running(app) as client:
        path = f"/v1/patients/{Session().patient_id}/export"
        assert (await client.get(path, headers=bearer("receptionist"))).status_code == 403
        empty = await client.get(path, headers=ADMIN)
        assert empty.json() == {
            "contact": None,
            "consent_ledger": [],
            "messages": [],
            "staff_alerts": [],
        }


async def test_export_includes_the_staff_alerts_about_the_patient(make_settings) -> None:
    app = await sms_app(make_settings)
    session, other = Session(), Session()
    async with running(app) as client:
        next_id, _ = await book_two(app, session)
        await book_two(app, other, phone="+33698765432")
        await reply(client, "R", sid(1))  # from the first patient's number
        export = await client.get(f"/v1/patients/{session.patient_id}/export", headers=ADMIN)
        others = await client.get(f"/v1/patients/{other.patient_id}/export", headers=ADMIN)
    alerts = export.json()["staff_alerts"]
    assert [(a["kind"], a["subject"]) for a in alerts] == [("reschedule_requested", str(next_id))]
    assert others.json()["staff_alerts"] == []
    assert len(export.json()["messages"]) == len(others.json()["messages"]) > 0
