"""A purchase order inventory sent is emailed to its supplier once, over SMTP; a supplier
without an address gets nothing; a failure is retried, then staff are alerted."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

from clinic_shared.contracts.events import OrderLineFacts, PurchaseOrderCancelled, PurchaseOrderSent
from clinic_testing.helpers import bearer, running
from notifications.adapters.channels import PermanentSendError, TransientSendError
from notifications.adapters.orm import supplier_orders
from notifications.bootstrap import build_app
from notifications.entrypoints.workers import build_channels, build_supplier_mailer
from notifications.settings import NotificationsSettings

from .dispatching import Recorder, driven_app
from .events import T0, envelope, publish
from .servers import Mailbox, smtp_server

ORDER = uuid.UUID("3f2a9c1e-0000-4000-8000-000000000001")


def sent_order(email: str | None = "orders@meso.example") -> PurchaseOrderSent:
    return PurchaseOrderSent(
        order_id=ORDER,
        supplier_id=uuid.uuid4(),
        supplier_name="Meso Pharma",
        supplier_email=email,
        expected_on=date(2026, 6, 6),
        lines=[
            OrderLineFacts(
                product_code="glycolic-acid", product_name="Glycolic acid 10%", quantity=40
            ),
            OrderLineFacts(product_code="lidocaine", product_name="Lidocaine 2%", quantity=1),
        ],
    )


def mailer(app, recorder: Recorder):
    runtime = app.state.runtime
    return build_supplier_mailer(runtime, runtime.settings, {"email": recorder, "sms": recorder})


async def rows(app) -> list:
    async with app.state.runtime.db.session() as session:
        return list((await session.execute(supplier_orders.select())).all())


async def test_a_sent_order_is_emailed_to_its_supplier_over_smtp_once(make_settings) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        settings = await make_settings(
            NotificationsSettings,
            dispatch_enabled=False,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="none",
        )
        app = build_app(settings)
        async with running(app):
            event = envelope(sent_order(), T0)
            await publish(app, event, event)  # redelivered: still one order to email
            mail = build_supplier_mailer(app.state.runtime, settings, build_channels(settings))
            counts = [await mail.send_once(now=T0), await mail.send_once(now=T0)]
            [row] = await rows(app)
    assert counts == [1, 0]
    assert (row.status, row.attempts) == ("sent", 1)
    [(recipients, message)] = mailbox.received
    assert recipients == ["orders@meso.example"]
    assert message["Subject"] == "Purchase order 3F2A9C1E from Clinique Lumière"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Dear Meso Pharma," in text
    assert "- 40 vials of Glycolic acid 10% (glycolic-acid)" in text
    assert "- 1 vial of Lidocaine 2% (lidocaine)" in text
    assert "We expect the delivery by 2026-06-06." in text
    assert "12 rue de la Paix, 75002 Paris" in text


async def test_a_supplier_without_an_email_gets_nothing(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    async with running(app):
        await publish(app, envelope(sent_order(email=None), T0))
        assert await mailer(app, recorder).send_once(now=T0) == 0
        assert await rows(app) == []
    assert recorder.sent == []


async def test_a_transient_failure_is_retried_and_two_mailers_send_once(make_settings) -> None:
    recorder = Recorder(TransientSendError("421 busy"))
    app = await driven_app(make_settings, recorder)
    async with running(app):
        await publish(app, envelope(sent_order(), T0))
        assert await mailer(app, recorder).send_once(now=T0) == 0
        [kept] = await rows(app)
        assert (kept.status, kept.attempts, kept.error) == ("pending", 1, "421 busy")
        counts = await asyncio.gather(
            mailer(app, recorder).send_once(now=T0), mailer(app, recorder).send_once(now=T0)
        )
    assert sorted(counts) == [0, 1]
    [email] = recorder.sent
    assert (email.to, email.message_id) == ("orders@meso.example", str(ORDER))


async def test_an_order_that_cannot_be_emailed_alerts_staff(make_settings) -> None:
    recorder = Recorder(PermanentSendError("550 no such mailbox"))
    app = await driven_app(make_settings, recorder)
    async with running(app) as client:
        await publish(app, envelope(sent_order(), T0))
        await mailer(app, recorder).send_once(now=T0 + timedelta(minutes=1))
        alerts = (await client.get("/v1/staff-alerts", headers=bearer("admin"))).json()
        by_stock = (await client.get("/v1/staff-alerts", headers=bearer("stock_manager"))).json()
        [row] = await rows(app)
    assert row.status == "failed"
    assert [(a["kind"], a["details"]["supplier_name"], a["details"]["error"]) for a in alerts] == [
        ("supplier_order_failed", "Meso Pharma", "550 no such mailbox")
    ]
    assert by_stock == alerts  # the stock manager places orders: theirs to follow up


def cancelled_order() -> PurchaseOrderCancelled:
    order = sent_order()
    return PurchaseOrderCancelled(
        order_id=order.order_id, supplier_id=order.supplier_id, supplier_name=order.supplier_name
    )


async def test_an_order_cancelled_before_its_email_went_is_not_emailed(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    async with running(app) as client:
        await publish(app, envelope(sent_order(), T0), envelope(cancelled_order(), T0))
        assert await mailer(app, recorder).send_once(now=T0) == 0
        [row] = await rows(app)
        alerts = (await client.get("/v1/staff-alerts", headers=bearer("admin"))).json()
    assert row.status == "withdrawn"
    assert (recorder.sent, alerts) == ([], [])


async def test_an_order_cancelled_after_its_email_went_alerts_staff(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    async with running(app) as client:
        await publish(app, envelope(sent_order(), T0))
        assert await mailer(app, recorder).send_once(now=T0) == 1
        await publish(app, envelope(cancelled_order(), T0))
        alerts = (await client.get("/v1/staff-alerts", headers=bearer("admin"))).json()
        by_stock = (await client.get("/v1/staff-alerts", headers=bearer("stock_manager"))).json()
        dismissal = {"kind": "supplier_order_cancelled", "subject": str(ORDER)}
        dismissed = await client.post(
            "/v1/staff-alerts/dismissals", json=dismissal, headers=bearer("stock_manager")
        )
    assert [(a["kind"], a["subject"]) for a in alerts] == [("supplier_order_cancelled", str(ORDER))]
    assert by_stock == alerts
    assert dismissed.status_code == 200, dismissed.text
