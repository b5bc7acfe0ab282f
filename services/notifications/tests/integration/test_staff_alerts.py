"""Inventory's alerts and failed messages reach staff: one per product and kind a day, digested."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

from clinic_shared.contracts.events import (
    LotExpiring,
    LotRecalled,
    ReorderSuggested,
    SessionBooked,
    ShortLine,
    StockShortage,
)
from clinic_testing.helpers import bearer, running
from notifications.adapters.channels import PermanentSendError, TransientSendError
from notifications.bootstrap import build_app
from notifications.entrypoints.workers import build_channels, build_digest
from notifications.settings import NotificationsSettings

from .dispatching import Recorder, dispatcher, driven_app
from .events import STARTS, T0, Session, envelope, publish
from .servers import Mailbox, smtp_server

STAFF = "stock@clinic.example, desk@clinic.example"


def digest(app, recorder: Recorder):
    runtime = app.state.runtime
    return build_digest(runtime, runtime.settings, {"email": recorder, "sms": recorder})


def inventory_events() -> list:
    reorder = ReorderSuggested(product_code="caffeine", quantity=40, reason="lead time")
    lot = LotExpiring(
        lot_id=uuid.uuid4(),
        product_code="caffeine",
        lot_number="L-7",
        expires_on=date(2026, 7, 1),
        unreserved_quantity=12,
    )
    shortage = StockShortage(
        session_id=uuid.uuid4(),
        session_starts_at=STARTS,
        lines=[
            ShortLine(product_code="caffeine", quantity_short=1),
            ShortLine(product_code="lidocaine", quantity_short=2),
        ],
    )
    recall = LotRecalled(
        lot_id=uuid.uuid4(),
        product_code="l-carnitine",
        lot_number="LC-1",
        patient_ids=[uuid.uuid4()],
        session_ids=[uuid.uuid4(), uuid.uuid4()],
    )
    return [
        envelope(reorder, T0),
        envelope(reorder, T0 + timedelta(hours=2)),  # same product, kind and day: no new alert
        envelope(lot, T0),
        envelope(shortage, T0),
        envelope(recall, T0),
        envelope(reorder, T0 + timedelta(days=1)),  # the next day: a new one
    ]


async def test_one_alert_per_product_kind_and_day_and_one_digest_for_all(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder, staff_alert_recipients=STAFF)
    async with running(app) as client:
        await publish(app, *inventory_events())
        alerts = (await client.get("/v1/staff-alerts", headers=bearer("stock_manager"))).json()
        sent = await digest(app, recorder).send_once(now=T0 + timedelta(days=1))
        again = await digest(app, recorder).send_once(now=T0 + timedelta(days=1))
        after = await client.get("/v1/staff-alerts?status=sent", headers=bearer("admin"))
    assert sorted((a["kind"], a["subject"], a["day"]) for a in alerts) == [
        ("lot_expiring", "caffeine", "2026-06-01"),
        ("lot_recalled", "l-carnitine", "2026-06-01"),
        ("reorder_suggested", "caffeine", "2026-06-01"),
        ("reorder_suggested", "caffeine", "2026-06-02"),
        ("stock_shortage", "caffeine", "2026-06-01"),
        ("stock_shortage", "lidocaine", "2026-06-01"),
    ]
    assert (sent, again) == (6, 0)
    [email] = recorder.sent
    assert email.to == "stock@clinic.example, desk@clinic.example"
    assert email.subject == "6 new alerts at Clinique Lumière"
    assert "Lot recalled: l-carnitine lot LC-1: 1 patients treated, 2 booked sessions" in email.text
    assert "Reorder suggested: caffeine, 40 vials." in email.text
    assert len(after.json()) == 6


async def test_with_no_recipient_configured_an_alert_says_so_instead_of_pending(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder, staff_alert_recipients="")
    async with running(app) as client:
        await publish(app, *inventory_events()[:1])
        before = (await client.get("/v1/staff-alerts", headers=bearer("admin"))).json()
        sent = await digest(app, recorder).send_once(now=T0)
        again = await digest(app, recorder).send_once(now=T0)
        after = await client.get("/v1/staff-alerts?status=no_recipients", headers=bearer("admin"))
        pending = await client.get("/v1/staff-alerts?status=pending", headers=bearer("admin"))
    assert [a["status"] for a in before] == ["pending"]
    assert (sent, again, recorder.sent) == (0, 0, [])
    assert [(a["kind"], a["status"], a["sent_at"]) for a in after.json()] == [
        ("reorder_suggested", "no_recipients", None)
    ]
    assert pending.json() == []


async def test_a_transient_failure_keeps_alerts_for_the_next_digest(make_settings) -> None:
    recorder = Recorder(TransientSendError("421"), PermanentSendError("550"))
    app = await driven_app(make_settings, recorder, staff_alert_recipients=STAFF)
    async with running(app) as client:
        await publish(app, *inventory_events()[:1])
        rounds = [await digest(app, recorder).send_once(now=T0) for _ in range(3)]
        alerts = (await client.get("/v1/staff-alerts", headers=bearer("admin"))).json()
    assert rounds == [0, 0, 0]
    assert [a["status"] for a in alerts] == ["failed"]


async def test_two_digest_senders_at_once_send_each_alert_once(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder, staff_alert_recipients=STAFF)
    async with running(app):
        await publish(app, *inventory_events())
        counts = await asyncio.gather(
            digest(app, recorder).send_once(now=T0), digest(app, recorder).send_once(now=T0)
        )
    assert sorted(counts) == [0, 6]
    assert len(recorder.sent) == 1


async def test_a_message_that_fails_for_good_alerts_staff(make_settings) -> None:
    recorder = Recorder(PermanentSendError("invalid number"))
    app = await driven_app(make_settings, recorder)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        await dispatcher(app, recorder).dispatch_once(now=T0)
        alerts = (await client.get("/v1/staff-alerts", headers=bearer("admin"))).json()
    assert [(a["kind"], a["details"]["kind"], a["details"]["error"]) for a in alerts] == [
        ("message_failed", "confirmation", "invalid number")
    ]


async def test_a_stock_manager_sees_the_stock_alerts_and_none_naming_a_patient(
    make_settings,
) -> None:
    recorder = Recorder(PermanentSendError("invalid number"))
    app = await driven_app(make_settings, recorder)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        await dispatcher(app, recorder).dispatch_once(now=T0)
        for event in inventory_events():
            await publish(app, event)
        by_admin = (await client.get("/v1/staff-alerts", headers=bearer("admin"))).json()
        by_stock = await client.get("/v1/staff-alerts", headers=bearer("stock_manager"))

    assert "message_failed" in {a["kind"] for a in by_admin}
    assert by_stock.status_code == 200
    assert {a["kind"] for a in by_stock.json()} == {
        "reorder_suggested",
        "lot_expiring",
        "stock_shortage",
        "lot_recalled",
    }
    assert str(session.patient_id) not in by_stock.text


async def test_the_digest_reaches_every_recipient_over_smtp(make_settings) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        settings = await make_settings(
            NotificationsSettings,
            dispatch_enabled=False,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="none",
            staff_alert_recipients=STAFF,
        )
        app = build_app(settings)
        async with running(app):
            await publish(app, *inventory_events()[:3])
            runtime = app.state.runtime
            sent = await build_digest(runtime, settings, build_channels(settings)).send_once(now=T0)
    assert sent == 2
    [(recipients, message)] = mailbox.received
    assert sorted(recipients) == ["desk@clinic.example", "stock@clinic.example"]
    assert message["Subject"] == "2 new alerts at Clinique Lumière"
