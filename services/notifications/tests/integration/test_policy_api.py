"""The reminder policy: defaults until an admin changes it; invalid ones are refused."""

from __future__ import annotations

from datetime import timedelta

from clinic_shared.contracts.events import SessionBooked
from clinic_shared.db import utcnow
from clinic_testing.helpers import bearer, running
from notifications.bootstrap import build_app
from notifications.settings import NotificationsSettings

from .events import Session, envelope, messages, publish

CUSTOM = {
    "reminders": [{"offset_hours": 72, "channel": "email"}, {"offset_hours": 3, "channel": "sms"}],
    "quiet_hours": [{"start": "21:00", "end": "07:30"}, {"start": "12:00", "end": "13:00"}],
    "aftercare_delay_minutes": 90,
}


async def test_the_seeded_policy_is_48h_email_24h_sms_and_quiet_nights(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings))
    async with running(app) as client:
        response = await client.get("/v1/policy", headers=bearer("practitioner"))
    assert response.json() == {
        "reminders": [
            {"offset_hours": 48, "channel": "email"},
            {"offset_hours": 24, "channel": "sms"},
        ],
        "quiet_hours": [{"start": "20:00", "end": "08:00"}],
        "aftercare_delay_minutes": 120,
    }


async def test_an_admin_replaces_the_policy(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings))
    async with running(app) as client:
        saved = await client.put("/v1/policy", json=CUSTOM, headers=bearer("admin"))
        again = await client.put("/v1/policy", json=CUSTOM, headers=bearer("admin"))
        read = await client.get("/v1/policy", headers=bearer("receptionist"))
    assert saved.status_code == again.status_code == 200
    assert read.json() == CUSTOM


async def test_invalid_policies_are_422_problems_and_change_nothing(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings))
    negative = CUSTOM | {"reminders": [{"offset_hours": -24, "channel": "sms"}]}
    overlapping = CUSTOM | {
        "quiet_hours": [{"start": "20:00", "end": "08:00"}, {"start": "07:00", "end": "09:00"}]
    }
    async with running(app) as client:
        refused = [
            await client.put("/v1/policy", json=body, headers=bearer("admin"))
            for body in (
                negative,
                overlapping,
                CUSTOM | {"quiet_hours": [{"start": "25:00", "end": "08:00"}]},
            )
        ]
        forbidden = await client.put("/v1/policy", json=CUSTOM, headers=bearer("receptionist"))
        read = await client.get("/v1/policy", headers=bearer("admin"))
    assert [r.status_code for r in refused] == [422, 422, 422]
    assert all(r.headers["content-type"] == "application/problem+json" for r in refused)
    assert refused[1].json()["errors"] == [
        {"field": "body.quiet_hours", "reason": "windows overlap"}
    ]
    assert forbidden.status_code == 403
    assert read.json()["reminders"][0]["offset_hours"] == 48


async def test_a_new_policy_replans_the_reminders_of_upcoming_sessions(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings, dispatch_enabled=False))
    session = Session()
    now = utcnow()
    starts_at = (now + timedelta(days=6)).replace(hour=10, minute=0, second=0, microsecond=0)
    async with running(app) as client:
        await publish(app, envelope(session.contact(), now))
        await publish(app, envelope(SessionBooked(**session.facts(starts_at)), now))
        policy = CUSTOM | {"reminders": [{"offset_hours": 72, "channel": "sms"}]}
        saved = await client.put("/v1/policy", json=policy, headers=bearer("admin"))
        reminders = await messages(client, session_id=session.session_id, kind="reminder")
    assert saved.status_code == 200
    assert sorted((m["offset_minutes"] // 60, m["channel"], m["status"]) for m in reminders) == [
        (24, "sms", "cancelled"),
        (48, "email", "cancelled"),
        (72, "sms", "scheduled"),
    ]
