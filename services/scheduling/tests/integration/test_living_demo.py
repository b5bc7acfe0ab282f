"""The living demo clinic of `make run`: whatever the day and hour it first starts at, the clinic
has sessions today and this week, courses at every stage, and every rule holds of its data."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from clinic_testing.helpers import running
from scheduling.bootstrap import build_app
from scheduling.seed import demo_seeder
from scheduling.settings import SchedulingSettings

from .conftest import ADMIN, PARIS, instant

STARTS = {
    "a Sunday morning": datetime(2030, 3, 10, 8, 0, tzinfo=PARIS),
    "a Monday after closing": datetime(2030, 3, 11, 20, 30, tzinfo=PARIS),
    "Christmas afternoon": datetime(2030, 12, 25, 14, 0, tzinfo=PARIS),
    "the night clocks go forward": datetime(2030, 3, 31, 1, 30, tzinfo=PARIS),
}


async def _get(client: Any, path: str, **params: str) -> Any:
    answer = await client.get(path, params=params, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("now", STARTS.values(), ids=STARTS.keys())
async def test_the_living_clinic_is_busy_today_and_this_week_and_keeps_every_rule(
    make_settings, now: datetime
) -> None:
    settings = await make_settings(SchedulingSettings, seed_living_clinic=True)
    app = build_app(settings)
    async with running(app) as client:
        runtime = app.state.runtime
        runtime.clock = lambda: now
        seed = demo_seeder(settings, clock=lambda: now)
        async with runtime.uow() as uow:
            await seed(uow)
        async with runtime.uow() as uow:
            await seed(uow)  # once: a second start adds nothing

        practitioners = await _get(client, "/v1/practitioners")
        rooms = await _get(client, "/v1/rooms")
        patients = [
            p for offset in (0, 50) for p in await _get(client, "/v1/patients", offset=str(offset))
        ]
        today = now.date()
        midnight = datetime.combine(today, time(), PARIS)
        monday = midnight - timedelta(days=today.weekday())
        span = {"from": (monday - timedelta(days=54)).isoformat()}
        week = await _get(client, "/v1/agenda", **span, to=(monday + timedelta(days=7)).isoformat())
        later = await _get(
            client,
            "/v1/agenda",
            **{"from": monday.isoformat(), "to": (monday + timedelta(days=62)).isoformat()},
        )
        courses = [
            c for p in patients for c in await _get(client, "/v1/courses", patient_id=p["id"])
        ]

    assert len(practitioners) == 3
    assert len(rooms) == 4
    assert len(patients) == 40
    on_today = [
        s for s in week if midnight <= instant(s["starts_at"]) < midnight + timedelta(days=1)
    ]
    this_week = [s for s in week if instant(s["starts_at"]) >= monday]
    assert on_today, "sessions today, whatever the weekday"
    assert len(this_week) >= 10
    statuses = Counter(s["status"] for s in week)
    assert statuses["completed"] >= 20
    assert statuses["no_show"] == 1
    assert all(
        s["status"] in {"booked", "cancelled"} for s in later if instant(s["starts_at"]) > now
    ), "nothing to come is completed or missed (abandoned courses' sessions are cancelled)"
    assert all(s["status"] != "booked" for s in week if instant(s["ends_at"]) <= now), (
        "every session past is completed, missed or cancelled"
    )
    stages = Counter(c["status"] for c in courses)
    assert stages["completed"] >= 6
    assert stages["abandoned"] == 2
    assert stages["active"] >= 26
    assert not [c["id"] for c in courses if c["interval_broken"]]
    assert sum(1 for p in patients if not any(c["patient_id"] == p["id"] for c in courses)) >= 4
