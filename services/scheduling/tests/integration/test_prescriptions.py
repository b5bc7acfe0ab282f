"""Issue 19 items 5, 7 and 8: the pause before a maintenance course, a prescription per course,
and a patient's allergies and contraindications; practitioners alone override."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, time
from typing import Any

import httpx

from clinic_shared.auth import Role, mint_token
from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET
from clinic_testing.helpers import eventually
from scheduling.entrypoints.workers import nudge_once

from .conftest import ADMIN, DESK, MONDAY, PARIS, Clinic, days, instant, local


def dr_dubois(clinic: Clinic) -> dict[str, str]:
    """The clinic's practitioner's token, with a subject the audit trail names."""
    token = mint_token(
        DEVELOPMENT_JWT_SECRET,
        role=Role.PRACTITIONER,
        subject="dr-dubois",
        practitioner_id=uuid.UUID(clinic.practitioner),
    )
    return {"Authorization": f"Bearer {token}"}


async def _open(clinic: Clinic, treatment: str = "cellulite-thighs", **prescription: Any) -> str:
    response = await clinic.post(
        "/v1/courses",
        {
            "patient_id": clinic.patient,
            "treatment_code": treatment,
            "practitioner_id": clinic.practitioner,
            **prescription,
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _read(clinic: Clinic, course: str) -> dict[str, Any]:
    response = await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _finished_thighs_course(clinic: Clinic) -> str:
    """A one-session thighs course done on MONDAY (maintenance pause: 30 days)."""
    course = await _open(clinic, sessions_planned=1)
    session = await clinic.book_ok(course, local(MONDAY))
    clinic.travel_to(datetime.combine(MONDAY, time(11), tzinfo=PARIS))
    done = await clinic.post(f"/v1/sessions/{session['id']}/complete", {}, dr_dubois(clinic))
    assert done.status_code == 200, done.text
    assert (await _read(clinic, course))["status"] == "completed"
    return course


async def _override(
    clinic: Clinic, course: str, rule: str, headers: dict[str, str]
) -> httpx.Response:
    return await clinic.post(
        f"/v1/courses/{course}/overrides", {"rule": rule, "reason": "seen by the doctor"}, headers
    )


# --- item 5: maintenance ------------------------------------------------------------------------


async def test_a_maintenance_course_starts_no_earlier_than_the_pause_after_the_last(
    clinic: Clinic,
) -> None:
    previous = await _finished_thighs_course(clinic)
    course = await _open(clinic, "cellulite-thighs-intensive", sessions_planned=2)
    earliest = MONDAY + days(30)
    assert (await _read(clinic, course))["next_window"]["earliest"] == earliest.isoformat()

    early = await clinic.book(course, local(MONDAY + days(29)))
    assert early.status_code == 422, early.text
    problem = early.json()
    assert problem["earliest"] == earliest.isoformat()
    assert problem["previous_course_id"] == previous
    assert problem["errors"][0]["field"] == "body.starts_at"

    plan = await clinic.post(f"/v1/courses/{course}/plan", {})
    assert plan.status_code == 200, plan.text
    first = instant(plan.json()[0]["starts_at"]).astimezone(PARIS).date()
    assert first >= earliest

    assert (await clinic.book(course, local(earliest))).status_code == 201


async def test_a_practitioner_overrides_the_maintenance_pause_with_a_recorded_reason(
    clinic: Clinic,
) -> None:
    await _finished_thighs_course(clinic)
    course = await _open(clinic, sessions_planned=2)
    assert (await _override(clinic, course, "maintenance_interval", DESK)).status_code == 403
    overridden = await _override(clinic, course, "maintenance_interval", dr_dubois(clinic))
    assert overridden.status_code == 201, overridden.text
    assert overridden.json()["overridden_by"] == "dr-dubois"
    [recorded] = (await _read(clinic, course))["overrides"]
    assert (recorded["rule"], recorded["reason"]) == ("maintenance_interval", "seen by the doctor")
    assert (await clinic.book(course, local(MONDAY + days(10)))).status_code == 201


async def test_the_pause_follows_the_latest_finished_course_of_the_area_alone(
    clinic: Clinic,
) -> None:
    """A booking reads the finished courses with its course in one statement; the course's
    window reads them apart. Both must name the same floor: the latest course of the area
    (another area's later course and the course itself do not count)."""
    await _finished_thighs_course(clinic)  # its last session on MONDAY
    later = await _open(clinic, sessions_planned=1)
    assert (await _override(clinic, later, "maintenance_interval", dr_dubois(clinic))).is_success
    session = await clinic.book_ok(later, local(MONDAY + days(3)))
    clinic.travel_to(datetime.combine(MONDAY + days(3), time(11), tzinfo=PARIS))
    done = await clinic.post(f"/v1/sessions/{session['id']}/complete", {}, dr_dubois(clinic))
    assert done.status_code == 200, done.text
    abdomen = await _open(clinic, "cellulite-abdomen", sessions_planned=1)
    session = await clinic.book_ok(abdomen, local(MONDAY + days(10)))
    clinic.travel_to(datetime.combine(MONDAY + days(10), time(11), tzinfo=PARIS))
    done = await clinic.post(f"/v1/sessions/{session['id']}/complete", {}, dr_dubois(clinic))
    assert done.status_code == 200, done.text

    course = await _open(clinic, "cellulite-thighs-intensive", sessions_planned=2)
    earliest = MONDAY + days(33)
    assert (await _read(clinic, course))["next_window"]["earliest"] == earliest.isoformat()
    early = await clinic.book(course, local(earliest - days(1)))
    assert early.status_code == 422, early.text
    assert (early.json()["earliest"], early.json()["previous_course_id"]) == (
        earliest.isoformat(),
        later,
    )
    assert (await clinic.book(course, local(earliest))).status_code == 201


async def test_a_move_before_the_maintenance_pause_is_refused(clinic: Clinic) -> None:
    await _finished_thighs_course(clinic)
    course = await _open(clinic, sessions_planned=2)
    session = await clinic.book_ok(course, local(MONDAY + days(31)))
    moved = await clinic.post(
        f"/v1/sessions/{session['id']}/reschedule", {"starts_at": local(MONDAY + days(28))}
    )
    assert moved.status_code == 422, moved.text
    assert moved.json()["earliest"] == (MONDAY + days(30)).isoformat()


# --- item 7: a prescription per course ----------------------------------------------------------


async def test_the_course_interval_is_the_prescribed_one(clinic: Clinic) -> None:
    course = await _open(clinic, min_interval_days=7, max_interval_days=10)
    prescription = (await _read(clinic, course))["prescription"]
    assert (prescription["min_interval_days"], prescription["max_interval_days"]) == (7, 10)
    await clinic.book_ok(course, local(MONDAY))
    assert (await _read(clinic, course))["next_window"]["latest"] == (MONDAY + days(10)).isoformat()
    late = await clinic.book(course, local(MONDAY + days(12)))  # inside 7-15, outside 7-10
    assert late.status_code == 422, late.text
    assert late.json()["window"]["latest"] == (MONDAY + days(10)).isoformat()
    plan = await clinic.post(f"/v1/courses/{course}/plan", {})
    assert plan.status_code == 200, plan.text
    starts = [MONDAY] + [instant(p["starts_at"]).astimezone(PARIS).date() for p in plan.json()]
    assert all(7 <= (b - a).days <= 10 for a, b in itertools.pairwise(starts))


async def test_an_interval_outside_the_treatments_bounds_is_refused(clinic: Clinic) -> None:
    for fields, field in (
        ({"min_interval_days": 5}, "body.min_interval_days"),
        ({"max_interval_days": 12}, "body.max_interval_days"),  # intensive: 7-10
        ({"min_interval_days": 10, "max_interval_days": 8}, "body.max_interval_days"),
    ):
        response = await clinic.post(
            "/v1/courses",
            {
                "patient_id": clinic.patient,
                "treatment_code": "cellulite-thighs-intensive",
                "practitioner_id": clinic.practitioner,
                **fields,
            },
        )
        assert response.status_code == 422, response.text
        assert field in {e["field"] for e in response.json()["errors"]}
    courses = await clinic.client.get(
        "/v1/courses", params={"patient_id": clinic.patient}, headers=ADMIN
    )
    assert courses.json() == []  # nothing half-written


async def test_a_prescription_change_is_recorded_with_who_made_it(clinic: Clinic) -> None:
    course = await _open(clinic, sessions_planned=4)
    await clinic.book_ok(course, local(MONDAY))
    await clinic.book_ok(course, local(MONDAY + days(14)))
    change = {
        "max_interval_days": 9,
        "kit_adjustments": [{"product_code": "lidocaine", "quantity": 0}],
    }
    refused = await clinic.client.patch(
        f"/v1/courses/{course}/prescription", json=change, headers=DESK
    )
    assert refused.status_code == 403
    changed = await clinic.client.patch(
        f"/v1/courses/{course}/prescription", json=change, headers=dr_dubois(clinic)
    )
    assert changed.status_code == 200, changed.text
    prescription = changed.json()["prescription"]
    assert prescription["revision"] == 2
    assert prescription["prescribed_by"] == "dr-dubois"
    assert prescription["kit_adjustments"] == [{"product_code": "lidocaine", "quantity": 0}]
    # the sessions not yet done follow it: the next one within 9 days of the last
    assert changed.json()["next_window"]["latest"] == (MONDAY + days(23)).isoformat()
    history = await clinic.client.get(f"/v1/courses/{course}/prescriptions", headers=DESK)
    assert [(r["revision"], r["max_interval_days"]) for r in history.json()] == [(1, 15), (2, 9)]

    too_few = await clinic.client.patch(
        f"/v1/courses/{course}/prescription",
        json={"sessions_planned": 1},
        headers=dr_dubois(clinic),
    )
    assert too_few.status_code == 422
    assert too_few.json()["errors"][0]["field"] == "body.sessions_planned"

    async def prescribed() -> list:
        return [e for e in clinic.events if e.type == "scheduling.course.prescribed"]

    found = await eventually(prescribed, until=lambda events: len(events) == 2)
    assert found[1].data["revision"] == 2
    assert found[1].data["kit_adjustments"] == [{"product_code": "lidocaine", "quantity": 0}]


async def test_a_kit_adjustment_names_each_product_once(clinic: Clinic) -> None:
    course = await _open(clinic)
    twice = [{"product_code": "caffeine", "quantity": 3}] * 2
    response = await clinic.client.patch(
        f"/v1/courses/{course}/prescription",
        json={"kit_adjustments": twice},
        headers=dr_dubois(clinic),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("body.kit_adjustments")


# --- item 8: allergies and contraindications ----------------------------------------------------


async def _record(clinic: Clinic, **conditions: list[str]) -> None:
    response = await clinic.client.put(
        f"/v1/patients/{clinic.patient}/conditions", json=conditions, headers=DESK
    )
    assert response.status_code == 200, response.text


async def test_a_lidocaine_allergy_refuses_a_kit_with_lidocaine(clinic: Clinic) -> None:
    await _record(clinic, allergies=["Lidocaine "])
    read = await clinic.client.get(f"/v1/patients/{clinic.patient}/conditions", headers=DESK)
    assert read.json()["allergies"] == ["lidocaine"]
    course = await _open(clinic)
    refused = await clinic.book(course, local(MONDAY))
    assert refused.status_code == 409, refused.text
    assert refused.json()["conflicts"] == ["allergy: lidocaine"]
    planned = await clinic.post(f"/v1/courses/{course}/plan", {})
    assert planned.status_code == 409
    assert planned.json()["conflicts"] == ["allergy: lidocaine"]
    book_plan = await clinic.post(
        f"/v1/courses/{course}/book-plan",
        {"sessions": [{"starts_at": local(MONDAY), "room_id": clinic.rooms[0]}]},
    )
    assert book_plan.status_code == 409

    # prescribed without lidocaine, the kit no longer conflicts
    without = await clinic.client.patch(
        f"/v1/courses/{course}/prescription",
        json={"kit_adjustments": [{"product_code": "lidocaine", "quantity": 0}]},
        headers=dr_dubois(clinic),
    )
    assert without.status_code == 200, without.text
    assert (await clinic.book(course, local(MONDAY))).status_code == 201


async def test_a_kit_without_the_allergen_is_not_refused(clinic: Clinic) -> None:
    await _record(clinic, allergies=["lidocaine"])
    course = await _open(clinic, "cellulite-abdomen")  # its kit holds no lidocaine
    assert (await clinic.book(course, local(MONDAY))).status_code == 201


async def test_pregnancy_refuses_the_course_unless_a_practitioner_overrides(
    clinic: Clinic,
) -> None:
    await _record(clinic, contraindications=["pregnancy"])
    course = await _open(clinic, "cellulite-calves")
    refused = await clinic.book(course, local(MONDAY))
    assert refused.status_code == 409
    assert refused.json()["conflicts"] == ["contraindication: pregnancy"]
    assert (await _override(clinic, course, "contraindications", DESK)).status_code == 403
    overridden = await _override(clinic, course, "contraindications", dr_dubois(clinic))
    assert overridden.status_code == 201, overridden.text
    assert (await clinic.book(course, local(MONDAY))).status_code == 201


async def test_the_rebooking_nudge_follows_the_course_interval(clinic: Clinic) -> None:
    course = await _open(clinic, sessions_planned=3, min_interval_days=7, max_interval_days=10)
    first = await clinic.book_ok(course, local(MONDAY))
    clinic.travel_to(datetime.combine(MONDAY, time(11), tzinfo=PARIS))
    done = await clinic.post(f"/v1/sessions/{first['id']}/complete", {}, dr_dubois(clinic))
    assert done.status_code == 200, done.text
    # the window closes on day 10 (not the treatment's 15): three days ahead is day 7
    moment = datetime.combine(MONDAY + days(7), time(9), tzinfo=PARIS)
    assert await nudge_once(clinic.app.state.runtime, lead_days=3, now=moment) == 1

    async def nudges() -> list:
        return [e for e in clinic.events if e.type == "scheduling.course.rebooking_due"]

    [nudge] = await eventually(nudges, until=lambda found: len(found) == 1)
    assert nudge.data["window_closes_on"] == (MONDAY + days(10)).isoformat()


async def test_erasing_a_patient_forgets_their_conditions(clinic: Clinic) -> None:
    await _record(clinic, allergies=["lidocaine"], contraindications=["pregnancy"])
    erased = await clinic.post(f"/v1/patients/{clinic.patient}/erase", {}, ADMIN)
    assert erased.status_code == 200, erased.text
    read = await clinic.client.get(f"/v1/patients/{clinic.patient}/conditions", headers=ADMIN)
    assert (read.json()["allergies"], read.json()["contraindications"]) == ([], [])
