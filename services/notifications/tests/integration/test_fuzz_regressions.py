"""Requests Schemathesis found accepted or answered outside the OpenAPI, kept as they were sent."""

from __future__ import annotations

from clinic_testing.helpers import bearer, running
from notifications.bootstrap import build_app
from notifications.settings import NotificationsSettings

ADMIN = bearer("admin")


async def test_an_aftercare_delay_sent_as_false_is_refused(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings))
    body = {"aftercare_delay_minutes": False, "quiet_hours": [], "reminders": []}
    async with running(app) as client:
        before = (await client.get("/v1/policy", headers=ADMIN)).json()
        response = await client.put("/v1/policy", json=body, headers=ADMIN)
        after = (await client.get("/v1/policy", headers=ADMIN)).json()
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["body.aftercare_delay_minutes"]
    assert after == before


async def test_options_on_the_policy_lists_get_and_put(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings))
    async with running(app) as client:
        response = await client.options("/v1/policy", headers=ADMIN)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "PUT"}
