"""Every answer carries the security headers; the policy lets nothing load from elsewhere."""

from __future__ import annotations

from .conftest import Dashboard


async def test_a_page_forbids_scripts_styles_and_frames_from_elsewhere(
    dashboard: Dashboard,
) -> None:
    answer = await dashboard.client.get("/signin")

    policy = answer.headers["content-security-policy"]
    assert policy.split("; ")[0] == "default-src 'self'"
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"


async def test_static_assets_carry_the_headers_too(dashboard: Dashboard) -> None:
    answer = await dashboard.client.get("/static/vendor/event-calendar.min.js")

    assert answer.status_code == 200
    assert answer.text.startswith("/*!\n * EventCalendar v5.10.1")
    assert answer.headers["x-content-type-options"] == "nosniff"
