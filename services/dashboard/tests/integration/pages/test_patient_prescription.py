"""The course's prescription on the patient's page: its interval and the vials of each product
per session, changed by an admin for the sessions not yet done (issue 23)."""

from __future__ import annotations

import re

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

AMELIA = "00000000-0000-4000-8000-000000000001"


async def _course(clinic: Clinic) -> str:
    courses = await clinic.api("scheduling").get(
        "/v1/courses", params={"patient_id": AMELIA}, headers=bearer(Role.ADMIN)
    )
    return str(courses.json()[0]["id"])


async def _partial(clinic: Clinic) -> str:
    answer = await clinic.client.get(f"/patients/{AMELIA}/partial")
    assert answer.status_code == 200, answer.text
    return answer.text


def _dose(page: str, course: str, product: str) -> str:
    found = re.search(rf'id="dose-{course}-{product}"[^>]*>(.*?)</tr>', page, re.S)
    assert found, f"no {product} in the prescription"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def _form(course: dict[str, str] | None = None, **fields: str) -> dict[str, str]:
    kit = {
        "dose_caffeine": "2",
        "dose_l-carnitine": "2",
        "dose_artichoke": "1",
        "dose_vitamin-blend": "1",
        "dose_lidocaine": "1",
        "min_interval_days": "7",
        "max_interval_days": "15",
    }
    return kit | (course or {}) | fields


async def test_the_prescription_shows_each_products_vials_per_session(clinic: Clinic) -> None:
    course = await _course(clinic)
    await clinic.sign_in_as(Role.RECEPTIONIST)

    page = await _partial(clinic)

    assert "Prescription: a session every 7 to 15 days" in page
    assert _dose(page, course, "caffeine") == "Caffeine 2.5% 2 2"
    assert "Change the prescription" not in page  # a receptionist does not prescribe
    form = await clinic.client.get(f"/patients/{AMELIA}/courses/{course}/prescription")
    assert form.status_code == 403


async def test_an_admin_changes_the_doses_and_the_page_shows_them(clinic: Clinic) -> None:
    course = await _course(clinic)
    csrf = await clinic.sign_in_as(Role.ADMIN)
    form = await clinic.client.get(f"/patients/{AMELIA}/courses/{course}/prescription")
    assert form.status_code == 200
    assert "Change the prescription" in await _partial(clinic)

    changed = await clinic.client.post(
        f"/patients/{AMELIA}/courses/{course}/prescription",
        data=_form(
            dose_caffeine="3",
            dose_lidocaine="0",
            add_product="glycolic-acid",
            add_quantity="1",
            max_interval_days="14",
            csrf_token=csrf,
        ),
    )
    page = await _partial(clinic)
    history = await clinic.api("scheduling").get(
        f"/v1/courses/{course}/prescriptions", headers=bearer(Role.ADMIN)
    )

    assert changed.status_code == 303
    assert changed.headers["location"] == f"/patients/{AMELIA}?done=prescription"
    assert "Prescription: a session every 7 to 14 days · 3 doses changed" in page
    assert _dose(page, course, "caffeine") == "Caffeine 2.5% 3 (prescribed for this course) 2"
    assert (
        _dose(page, course, "lidocaine") == "Lidocaine 2% left out (prescribed for this course) 1"
    )
    assert _dose(page, course, "glycolic-acid").endswith(
        "1 (prescribed for this course) not in the kit"
    )
    assert _dose(page, course, "artichoke") == "Artichoke extract 1 1"
    assert "Prescribed by Ada Admin" in page
    latest = history.json()[-1]
    assert {(a["product_code"], a["quantity"]) for a in latest["kit_adjustments"]} == {
        ("caffeine", 3),
        ("glycolic-acid", 1),
        ("lidocaine", 0),
    }


async def test_a_refused_prescription_is_shown_beside_its_field_keeping_what_was_typed(
    clinic: Clinic,
) -> None:
    course = await _course(clinic)
    csrf = await clinic.sign_in_as(Role.ADMIN)
    path = f"/patients/{AMELIA}/courses/{course}/prescription"

    outside = await clinic.client.post(
        path, data=_form(min_interval_days="3", dose_caffeine="4", csrf_token=csrf)
    )
    garbled = await clinic.client.post(path, data=_form(dose_caffeine="two", csrf_token=csrf))
    page = await _partial(clinic)

    assert outside.status_code == 422
    assert 'id="e-min_interval_days">' in outside.text
    assert "7 to 15 days" in outside.text
    assert re.search(r'name="min_interval_days" type="number" value="3"', outside.text)
    assert re.search(r'name="dose_caffeine" type="number" value="4"', outside.text)
    assert garbled.status_code == 422
    assert 'id="e-dose_caffeine">Enter a whole number of vials, 0 to 20.' in garbled.text
    assert 'value="two"' in garbled.text
    assert _dose(page, course, "caffeine") == "Caffeine 2.5% 2 2"


async def test_an_admin_sets_a_rule_aside_with_a_reason_the_page_shows(clinic: Clinic) -> None:
    course = await _course(clinic)
    csrf = await clinic.sign_in_as(Role.ADMIN)
    path = f"/patients/{AMELIA}/courses/{course}/overrides"

    short = await clinic.client.post(
        path,
        data={"override_rule": "contraindications", "override_reason": "ok", "csrf_token": csrf},
    )
    reason = "Cleared by her GP"
    set_aside = await clinic.client.post(
        path,
        data={"override_rule": "contraindications", "override_reason": reason, "csrf_token": csrf},
    )
    page = await _partial(clinic)

    assert short.status_code == 422
    assert 'id="e-override_reason">' in short.text
    assert 'name="override_reason" type="text" value="ok"' in short.text
    assert set_aside.headers["location"] == f"/patients/{AMELIA}?done=override"
    assert "Rules set aside for this course:" in page
    assert re.search(rf"contraindications: {reason} <span class=\"muted\">\(Ada Admin, ", page)
