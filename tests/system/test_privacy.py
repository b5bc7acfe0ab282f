"""Patient privacy across the services: nothing readable at rest, one export, erasure everywhere."""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy.engine import make_url

from clinic_testing.helpers import eventually

from .privacy_stack import ADMIN, CONTACT_FORMS, Clinic, clinic_stack, fill

pytestmark = [pytest.mark.system]


def _pg_dump(database_url: str) -> str:
    url = make_url(database_url)
    command = ["pg_dump", "--no-owner", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    command += ["-U", url.username or "postgres", url.database or ""]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _dump(clinic: Clinic) -> str:
    urls = [app.state.runtime.settings.database_url for app in clinic.apps.values()]
    return "\n".join(_pg_dump(url) for url in urls)


async def test_database_dumps_hold_no_plaintext_contact(make_settings, tmp_path) -> None:
    async with clinic_stack(make_settings, tmp_path) as clinic:
        await fill(clinic)
        dump = _dump(clinic)
    assert "Amelia" in dump  # the patients are in the dump...
    assert "enc1.dev." in dump  # ...with their contacts sealed
    for contact in CONTACT_FORMS:
        assert contact not in dump
    assert not re.search(r"[\w.]+@example\.(com|org)", dump)


async def test_export_is_one_json_of_what_every_service_holds(make_settings, tmp_path) -> None:
    async with clinic_stack(make_settings, tmp_path) as clinic:
        await fill(clinic)
        patient = clinic.patient_ids[0]
        export = (
            await clinic.scheduling.get(f"/v1/patients/{patient}/export", headers=ADMIN)
        ).json()
    assert export["scheduling"]["patient"]["phone"] == "+447911123456"
    assert [s["id"] for s in export["scheduling"]["courses"][0]["sessions"]] == [
        clinic.session_ids[0]
    ]
    assert [s["id"] for s in export["scheduling"]["sessions"]] == [clinic.session_ids[0]]
    assert [s["session_id"] for s in export["inventory"]["sessions"]] == [clinic.session_ids[0]]
    assert export["inventory"]["sessions"][0]["reservations"]
    notifications = export["notifications"]
    assert notifications["contact"]["email"] == "amelia.hart@example.com"
    assert [(e["address"], e["action"]) for e in notifications["consent_ledger"]] == [
        ("+447911123456", "opt_in"),  # SMS and email, given at registration
        ("amelia.hart@example.com", "opt_in"),
        ("amelia.hart@example.com", "opt_out"),
    ]
    assert {m["patient_id"] for m in notifications["messages"]} == {patient}
    assert any(m["attempts"] for m in notifications["messages"])


async def test_erasure_reaches_notifications_and_leaves_inventory_its_lots(
    make_settings, tmp_path
) -> None:
    async with clinic_stack(make_settings, tmp_path) as clinic:
        await fill(clinic)
        patient = clinic.patient_ids[0]
        erased = await clinic.scheduling.post(f"/v1/patients/{patient}/erase", headers=ADMIN)
        assert erased.status_code == 200, erased.text

        async def export() -> dict:
            path = f"/v1/patients/{patient}/export"
            return (await clinic.scheduling.get(path, headers=ADMIN)).json()

        def settled(e: dict) -> bool:
            # A send already handed to the provider when the erasure came cannot be recalled:
            # it is left to finish (as sent), so wait for it rather than catch it in flight.
            statuses = {m["status"] for m in e["notifications"]["messages"]}
            held = [r for s in e["inventory"]["sessions"] for r in s["reservations"]]
            released = all(r["status"] == "released" for r in held)  # the session was cancelled
            return (
                e["notifications"]["contact"]["phone"] is None
                and "sending" not in statuses
                and released
            )

        after = await eventually(export, until=settled, timeout=20)
    assert after["scheduling"]["patient"]["first_name"] == "erased"
    assert after["scheduling"]["courses"][0]["sessions"]
    # inventory keeps the session under the patient's UUID, its vials released by the erasure
    assert [s["session_id"] for s in after["inventory"]["sessions"]] == clinic.session_ids[:1]
    assert {m["status"] for m in after["notifications"]["messages"]} <= {"sent", "cancelled"}
    assert "cancelled" in {m["status"] for m in after["notifications"]["messages"]}
