"""The calendar library served is the one the lock file pins (`make assets` copies it)."""

from __future__ import annotations

import json
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parents[2]
LOCK = DASHBOARD / "assets" / "package-lock.json"
VENDOR = DASHBOARD / "src" / "dashboard" / "static" / "vendor"


def test_the_served_calendar_is_the_locked_version() -> None:
    locked = json.loads(LOCK.read_text())["packages"]["node_modules/@event-calendar/build"]
    for name in ("event-calendar.min.js", "event-calendar.min.css"):
        banner = (VENDOR / name).read_text()[:80]
        assert f"EventCalendar v{locked['version']}\n" in banner, name
