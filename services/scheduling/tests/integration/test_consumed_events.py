"""What scheduling does with notifications' and inventory's news about a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from clinic_shared.contracts import Envelope, Event
from clinic_shared.contracts.events import (
    ConsentChanged,
    SessionConfirmedByPatient,
    ShortLine,
    StockReserved,
    StockShortage,
)
from clinic_testing.helpers import eventually
from scheduling.adapters.orm import inbox

from .conftest import ADMIN, DESK, MONDAY, Clinic, local

T0 = datetime(2030, 3, 1, 12, tzinfo=UTC)


async def _publish(clinic: Clinic, event: Event, at: datetime) -> None:
    envelope = Envelope.wrap(event, producer="test", correlation_id="c", occurred_at=at)
    await clinic.app.state.runtime.message_bus.publish(envelope)


async def _session(clinic: Clinic, session_id: str) -> dict:
    response = await clinic.client.get(f"/v1/sessions/{session_id}", headers=ADMIN)
    return dict(response.json())


async def test_patient_confirmation_marks_the_session_confirmed(clinic: Clinic) -> None:
    session = await clinic.book_ok(await clinic.course(), local(MONDAY))
    await _publish(
        clinic,
        SessionConfirmedByPatient(
            session_id=session["id"], patient_id=clinic.patient, confirmed_at=T0
        ),
        T0,
    )
    await eventually(
        lambda: _session(clinic, session["id"]), until=lambda s: s["status"] == "confirmed"
    )


async def test_stock_news_sets_and_clears_the_risk_flag_newest_first(clinic: Clinic) -> None:
    session = await clinic.book_ok(await clinic.course(), local(MONDAY))
    starts = datetime.fromisoformat(session["starts_at"].replace("Z", "+00:00"))
    short = StockShortage(
        session_id=session["id"],
        session_starts_at=starts,
        lines=[ShortLine(product_code="caffeine", quantity_short=1)],
    )
    reserved = StockReserved(session_id=session["id"], session_starts_at=starts)

    await _publish(clinic, short, T0)
    await eventually(lambda: _session(clinic, session["id"]), until=lambda s: s["stock_at_risk"])
    await _publish(clinic, reserved, T0 + timedelta(minutes=5))
    await eventually(
        lambda: _session(clinic, session["id"]), until=lambda s: not s["stock_at_risk"]
    )
    await _publish(clinic, short, T0 + timedelta(minutes=1))  # late news, older than the last

    async def handled() -> int:
        async with clinic.app.state.runtime.db.session() as db:
            return int(await db.scalar(sa.select(sa.func.count()).select_from(inbox)) or 0)

    await eventually(handled, until=lambda n: n == 3)
    assert (await _session(clinic, session["id"]))["stock_at_risk"] is False


async def _handled(clinic: Clinic) -> int:
    async with clinic.app.state.runtime.db.session() as db:
        return int(await db.scalar(sa.select(sa.func.count()).select_from(inbox)) or 0)


async def test_consent_is_notifications_and_its_newest_revision_is_kept(clinic: Clinic) -> None:
    def change(sms: bool, email: bool, revision: int) -> ConsentChanged:
        return ConsentChanged(
            patient_id=clinic.patient,
            consent_sms=sms,
            consent_email=email,
            revision=revision,
            changed_at=T0 + timedelta(minutes=revision),
        )

    await _publish(clinic, change(False, True, 3), T0)
    await _publish(clinic, change(True, False, 2), T0)  # older, arriving last
    await eventually(lambda: _handled(clinic), until=lambda n: n == 2)
    edited = await clinic.client.patch(
        f"/v1/patients/{clinic.patient}", json={"first_name": "Amélie"}, headers=DESK
    )

    patient = await clinic.client.get(f"/v1/patients/{clinic.patient}", headers=DESK)
    assert (patient.json()["consent_sms"], patient.json()["consent_email"]) == (False, True)
    assert (edited.json()["first_name"], edited.json()["consent_sms"]) == ("Amélie", False)
    update = await eventually(lambda: _updates(clinic), until=lambda found: len(found) == 1)
    assert update[0].data["consent_sms"] is False  # scheduling's copy, for what it is worth


async def _updates(clinic: Clinic) -> list[Envelope]:
    return [e for e in clinic.events if e.type == "scheduling.patient.updated"]
