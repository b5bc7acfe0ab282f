"""The reminder policy: defaults until an admin changes it; invalid ones are refused."""

from __future__ import annotations

from clinic_shared.testing.helpers import bearer, running
from notifications.bootstrap import build_app
from notifications.settings import NotificationsSettings

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
