"""Staff alerts read as groups (a kind and subject, counted) and dismissed a group at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa

from clinic_testing.helpers import bearer, running
from notifications.adapters.orm import staff_alerts

from .dispatching import Recorder, driven_app
from .events import T0, publish
from .test_staff_alerts import inventory_events

RECEPTIONIST = bearer("receptionist")


async def groups(client, role: str = "receptionist") -> list[dict]:
    answer = await client.get("/v1/staff-alerts/groups", headers=bearer(role))
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_a_products_alerts_on_several_days_are_one_group_dismissed_at_once(
    make_settings,
) -> None:
    app = await driven_app(make_settings, Recorder(), staff_alert_recipients="")
    async with running(app) as client:
        await publish(app, *inventory_events())  # the caffeine reorder on two days
        before = await groups(client)
        body = {"kind": "reorder_suggested", "subject": "caffeine"}
        dismissed = await client.post(
            "/v1/staff-alerts/dismissals", json=body, headers=RECEPTIONIST
        )
        again = await client.post("/v1/staff-alerts/dismissals", json=body, headers=RECEPTIONIST)
        after = await groups(client)

    [reorder] = [g for g in before if g["kind"] == "reorder_suggested"]
    assert (reorder["subject"], reorder["count"]) == ("caffeine", 2)
    assert reorder["first_day"] == T0.date().isoformat()
    assert reorder["day"] == (T0 + timedelta(days=1)).date().isoformat()
    assert dismissed.json() == body | {"dismissed": 2}
    assert again.json() == body | {"dismissed": 0}
    assert [g for g in after if g["kind"] == "reorder_suggested"] == []
    assert len(after) == len(before) - 1


async def test_two_staff_dismissing_a_group_at_once_dismiss_each_alert_once(make_settings) -> None:
    app = await driven_app(make_settings, Recorder(), staff_alert_recipients="")
    body = {"kind": "reorder_suggested", "subject": "caffeine"}
    async with running(app) as client:
        await publish(app, *inventory_events())
        answers = await asyncio.gather(
            client.post("/v1/staff-alerts/dismissals", json=body, headers=RECEPTIONIST),
            client.post("/v1/staff-alerts/dismissals", json=body, headers=bearer("admin")),
        )
        async with app.state.runtime.db.session() as session:
            reorders = sa.select(staff_alerts).where(staff_alerts.c.kind == "reorder_suggested")
            rows = (await session.execute(reorders)).all()

    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert sorted(a.json()["dismissed"] for a in answers) in ([0, 2], [1, 1])
    assert sum(a.json()["dismissed"] for a in answers) == 2
    assert all(r.dismissed_at is not None and r.dismissed_by for r in rows)


async def test_a_stock_manager_dismisses_stock_alerts_only_and_a_practitioner_none(
    make_settings,
) -> None:
    app = await driven_app(make_settings, Recorder(), staff_alert_recipients="")
    failed = {"kind": "message_failed", "subject": "anything"}
    stock = {"kind": "lot_expiring", "subject": "caffeine"}
    async with running(app) as client:
        await publish(app, *inventory_events())
        refused = await client.post(
            "/v1/staff-alerts/dismissals", json=failed, headers=bearer("stock_manager")
        )
        by_practitioner = await client.post(
            "/v1/staff-alerts/dismissals", json=stock, headers=bearer("practitioner")
        )
        by_stock = await client.post(
            "/v1/staff-alerts/dismissals", json=stock, headers=bearer("stock_manager")
        )
        empty = await client.post(
            "/v1/staff-alerts/dismissals", json={"kind": "", "subject": "x"}, headers=RECEPTIONIST
        )

    assert refused.status_code == 403
    assert refused.json()["errors"][0]["field"] == "body.kind"
    assert by_practitioner.status_code == 403
    assert by_stock.json()["dismissed"] == 1
    assert empty.status_code == 422
    assert "body.kind" in empty.text
