"""A practitioner's "My day": their own sessions first, and a session completed with a lot
scanned or typed by its number, which inventory may refuse (issue 23)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer, eventually

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

PARIS = ZoneInfo("Europe/Paris")
ADMIN = bearer(Role.ADMIN)
SAM_PATEL = "00000000-0000-4000-8000-0000000000a2"


async def _first_session(clinic: Clinic) -> dict[str, Any]:
    """The demo patient's first session, once inventory has reserved its lots; the clocks of
    scheduling and the dashboard set to its end, so it may be completed."""
    answer = await clinic.api("scheduling").get("/v1/sessions", params={"limit": 1}, headers=ADMIN)
    [session] = answer.json()
    await eventually(
        lambda: clinic.api("inventory").get(
            "/v1/reservations", params={"session_id": session["id"]}, headers=ADMIN
        ),
        until=lambda r: r.status_code == 200 and bool(r.json()),
    )
    ends = datetime.fromisoformat(session["ends_at"])
    clinic.at("scheduling", ends)
    clinic.app.state.runtime.clock = lambda: ends
    return dict(session)


async def _recall(clinic: Clinic, lot_number: str) -> None:
    inventory = clinic.api("inventory")
    lots = await inventory.get("/v1/lots", params={"product_code": "caffeine"}, headers=ADMIN)
    [lot] = [lot for lot in lots.json() if lot["lot_number"] == lot_number]
    recalled = await inventory.post(f"/v1/lots/{lot['id']}/recall", headers=ADMIN)
    assert recalled.status_code == 200, recalled.text


async def _complete(clinic: Clinic, csrf: str, session_id: str, **fields: str) -> str:
    form = (await clinic.client.get(f"/agenda/sessions/{session_id}/complete")).text
    products = re.search(r'name="products" value="([^"]*)"', form)
    assert products, form
    body = {"csrf_token": csrf, "products": products.group(1)}
    for code in products.group(1).split(","):
        chosen = re.search(rf'name="lot_{code}".*?<option value="([^"]+)"\s+selected', form, re.S)
        body[f"lot_{code}"] = chosen.group(1) if chosen else ""
        quantity = re.search(rf'name="quantity_{code}"[^>]*value="(\d+)"', form)
        body[f"quantity_{code}"] = quantity.group(1) if quantity else "0"
    answer = await clinic.client.post(
        f"/agenda/sessions/{session_id}/complete",
        data=body | fields,
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_the_practitioners_own_sessions_come_first_under_my_day(clinic: Clinic) -> None:
    session = await _first_session(clinic)
    await clinic.sign_in_as(Role.PRACTITIONER)
    day = datetime.fromisoformat(session["starts_at"]).astimezone(PARIS).date()

    page = (await clinic.client.get("/")).text
    agenda = await clinic.client.get("/agenda/sessions", params={"day": day.isoformat()})

    assert "My day:" in page
    assert '<a href="/" aria-current="page">My day</a>' in page
    headings = re.findall(r"<h2>([^<]+)</h2>", agenda.text)
    assert headings[0] == "Your sessions (Dr Claire Dubois)"


async def test_the_reserved_lots_are_preselected(clinic: Clinic) -> None:
    session = await _first_session(clinic)
    await clinic.sign_in_as(Role.PRACTITIONER)

    form = (await clinic.client.get(f"/agenda/sessions/{session['id']}/complete")).text

    chosen = re.search(r'name="lot_caffeine".*?<option value="([^"]+)"\s+selected', form, re.S)
    assert chosen
    assert chosen.group(1) == "CAF-2401"
    assert "Or scan or type the lot number" in form


async def test_a_lot_typed_by_number_is_recorded(clinic: Clinic) -> None:
    session = await _first_session(clinic)
    csrf = await clinic.sign_in_as(Role.PRACTITIONER)

    answer = await _complete(clinic, csrf, session["id"], typed_caffeine=" caf-2417 ")

    assert "The session is completed." in answer
    used = await eventually(
        lambda: clinic.api("inventory").get(
            "/v1/traceability", params={"lot_number": "CAF-2417"}, headers=ADMIN
        ),
        until=lambda r: bool(r.json()["consumptions"]),
    )
    assert [c["session_id"] for c in used.json()["consumptions"]] == [session["id"]]


async def test_a_recalled_lot_is_refused_naming_why_and_keeping_the_number(
    clinic: Clinic,
) -> None:
    session = await _first_session(clinic)
    await _recall(clinic, "CAF-2417")
    csrf = await clinic.sign_in_as(Role.PRACTITIONER)

    answer = await _complete(clinic, csrf, session["id"], typed_caffeine="CAF-2417")
    after = await clinic.api("scheduling").get(f"/v1/sessions/{session['id']}", headers=ADMIN)

    assert 'id="e-typed_caffeine">Lot CAF-2417 is recalled: it may not be used.' in answer
    assert 'name="typed_caffeine" type="text"' in answer
    assert 'value="CAF-2417"' in answer
    assert after.json()["status"] != "completed"


async def test_a_lot_of_another_product_and_an_unknown_lot_are_refused(clinic: Clinic) -> None:
    session = await _first_session(clinic)
    csrf = await clinic.sign_in_as(Role.PRACTITIONER)

    other = await _complete(clinic, csrf, session["id"], typed_caffeine="LID-2406")
    unknown = await _complete(clinic, csrf, session["id"], typed_caffeine="CAF-0000")

    assert "Lot LID-2406 is Lidocaine 2%, not Caffeine 2.5%." in other
    assert "No lot CAF-0000 of Caffeine 2.5% is known." in unknown


async def test_by_room_the_practitioner_still_completes_her_own_sessions(clinic: Clinic) -> None:
    session = await _first_session(clinic)
    await clinic.sign_in_as(Role.PRACTITIONER)
    day = datetime.fromisoformat(session["starts_at"]).astimezone(PARIS).date()

    agenda = await clinic.client.get(
        "/agenda/sessions", params={"day": day.isoformat(), "by": "room"}
    )

    assert f'hx-get="/agenda/sessions/{session["id"]}/complete"' in agenda.text


async def test_another_practitioners_sessions_offer_her_no_complete(clinic: Clinic) -> None:
    session = await _first_session(clinic)
    csrf = await clinic.sign_in_as(Role.ADMIN)
    sam = {"name": "Sam Patel", "email": "sam@clinic.example", "password": "sam-password-1"}
    body = sam | {"role": "practitioner", "practitioner_id": SAM_PATEL, "csrf_token": csrf}
    assert (await clinic.client.post("/settings/staff", data=body)).status_code == 303
    clinic.client.cookies.clear()
    await clinic.sign_in(sam["email"], sam["password"])
    day = datetime.fromisoformat(session["starts_at"]).astimezone(PARIS).date()

    agenda = await clinic.client.get("/agenda/sessions", params={"day": day.isoformat()})

    assert f'id="session-{session["id"]}"' in agenda.text
    assert "/complete" not in agenda.text
    assert "Your sessions" not in agenda.text


async def test_complete_and_no_show_are_offered_once_the_session_has_started(
    clinic: Clinic,
) -> None:
    session = await _first_session(clinic)
    starts = datetime.fromisoformat(session["starts_at"])
    day = {"day": starts.astimezone(PARIS).date().isoformat()}
    actions = (
        f'hx-get="/agenda/sessions/{session["id"]}/complete"',
        f'hx-get="/agenda/sessions/{session["id"]}/no-show"',
    )
    clinic.app.state.runtime.clock = lambda: starts - timedelta(minutes=1)
    await clinic.sign_in_as(Role.PRACTITIONER)

    before = (await clinic.client.get("/agenda/sessions", params=day)).text
    clinic.app.state.runtime.clock = lambda: starts
    started = (await clinic.client.get("/agenda/sessions", params=day)).text

    assert f'id="session-{session["id"]}"' in before
    assert not any(action in before for action in actions)
    assert all(action in started for action in actions)
