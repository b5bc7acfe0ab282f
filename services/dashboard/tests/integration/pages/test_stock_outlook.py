"""The stock page's outlook: lots expiring in 30, 60, 90 days; reservations by day and session;
what booked sessions lack, worded as the shortage alert words it. Products by name only."""

from __future__ import annotations

import re

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer, eventually

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]
CODES = re.compile(r"\b(caffeine|artichoke|glycolic-acid|l-carnitine|lidocaine|vitamin-blend)\b")


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str, marker: str) -> str:
    found = re.search(rf'<ul class="results {marker}">.*?</ul>', html, re.S)
    return visible(found.group(0)) if found else ""


async def test_lots_by_expiry_window_and_reservations_by_day_and_session(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.STOCK_MANAGER)

    page = (await clinic.client.get("/stock", params={"days": 31})).text

    # The demo's artichoke lot expires on 1 January, its first caffeine lot on 21 January.
    assert "Artichoke extract · lot ART-2403" in section(page, "expiring-30")
    assert "Caffeine 2.5% · lot CAF-2401" in section(page, "expiring-60")
    sessions = re.findall(r'id="reserved-session-([^"]+)"', page)
    assert sessions, page
    first = re.search(rf'id="reserved-session-{sessions[0]}">.*?</tr>', page, re.S)
    assert first
    assert "lot CAF-2401" in page
    assert re.search(r'<a href="/\?day=\d{4}-\d{2}-\d{2}#session-', first.group(0))
    assert "Held: Artichoke extract 1, Caffeine 2.5% 2" in visible(page)
    assert not CODES.search(visible(page)), CODES.search(visible(page))


async def test_what_sessions_lack_reads_the_same_on_the_stock_page_as_in_the_alert(
    clinic: Clinic,
) -> None:
    await clinic.sign_in_as(Role.STOCK_MANAGER)
    inventory, staff = clinic.api("inventory"), bearer(Role.STOCK_MANAGER)
    for lot in (await inventory.get("/v1/lots?product_code=caffeine", headers=staff)).json():
        answer = await inventory.post(f"/v1/lots/{lot['id']}/recall", headers=staff)
        assert answer.status_code == 200, answer.text

    alerts = visible(
        await eventually(
            lambda: _text(clinic, "/alerts/partial"), until=lambda html: "Shortage" in html
        )
    )
    stock = (await clinic.client.get("/stock/partial")).text

    said = re.search(r"(\d+) sessions lack (\d+) vials of Caffeine 2\.5% in all", alerts)
    assert said, alerts
    row = re.search(r'<tr id="product-caffeine">.*?</tr>', stock, re.S)
    assert row, stock
    sessions, vials = said.groups()
    assert f"Out now: {sessions} booked sessions lack {vials} vials, the first on" in visible(
        row.group(0)
    )
    assert "Not out" not in visible(row.group(0))
    assert not CODES.search(visible(stock))


async def _text(clinic: Clinic, path: str) -> str:
    return (await clinic.client.get(path)).text
