"""A practitioner acts only on their own sessions and reads only the patients they treat."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from .conftest import ADMIN, MONDAY, PARIS, Clinic, bearer, local


async def _colleague(clinic: Clinic) -> tuple[str, dict[str, str]]:
    """A second practitioner with the same hours, and their token."""
    made = await clinic.client.post("/v1/practitioners", json={"name": "Dr Roux"}, headers=ADMIN)
    colleague = str(made.json()["id"])
    hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(6)]
    await clinic.client.put(f"/v1/practitioners/{colleague}/hours", json=hours, headers=ADMIN)
    return colleague, bearer("practitioner", practitioner_id=colleague)


async def _started(clinic: Clinic) -> tuple[str, dict[str, Any]]:
    """A course of the clinic's patient with the clinic's practitioner, its session under way."""
    course = await clinic.course(sessions_planned=1)
    session = await clinic.book_ok(course, local(MONDAY))
    clinic.travel_to(datetime.combine(MONDAY, time(10, 20), tzinfo=PARIS))
    return course, session


def _refused(answer: Any, slug: str) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith(slug)


async def test_a_practitioner_cannot_complete_or_miss_another_practitioners_session(
    clinic: Clinic,
) -> None:
    _, session = await _started(clinic)
    _, roux = await _colleague(clinic)
    path = f"/v1/sessions/{session['id']}"

    completed = await clinic.post(f"{path}/complete", {"products_used": []}, roux)
    missed = await clinic.post(f"{path}/no-show", {}, roux)
    unlinked = await clinic.post(f"{path}/no-show", {}, bearer("practitioner"))

    _refused(completed, "not-their-session")
    _refused(missed, "not-their-session")
    _refused(unlinked, "not-their-session")
    assert clinic.inventory.asked == []  # refused before inventory is asked about lots
    still = await clinic.client.get(path, headers=ADMIN)
    assert still.json()["status"] == "booked"


async def test_a_practitioner_completes_their_own_session_and_an_admin_anyones(
    clinic: Clinic,
) -> None:
    zoe = await clinic.new_patient("Zoe")
    other_course = await clinic.course(sessions_planned=1, patient=zoe)
    other = await clinic.book_ok(other_course, local(MONDAY, 9), room=1)
    _, session = await _started(clinic)

    own = await clinic.post(f"/v1/sessions/{session['id']}/complete", {}, clinic.doctor)
    by_admin = await clinic.post(f"/v1/sessions/{other['id']}/no-show", {}, ADMIN)

    assert own.status_code == 200, own.text
    assert own.json()["status"] == "completed"
    assert by_admin.status_code == 200, by_admin.text


async def test_a_practitioner_reads_only_the_patients_they_treat(clinic: Clinic) -> None:
    await _started(clinic)
    _, roux = await _colleague(clinic)
    zoe = await clinic.new_patient("Zoe")

    own = await clinic.client.get(f"/v1/patients/{clinic.patient}", headers=clinic.doctor)
    not_theirs = await clinic.client.get(f"/v1/patients/{clinic.patient}", headers=roux)
    untreated = await clinic.client.get(f"/v1/patients/{zoe}", headers=clinic.doctor)
    conditions = await clinic.client.get(f"/v1/patients/{zoe}/conditions", headers=clinic.doctor)
    listed = await clinic.client.get("/v1/patients", headers=clinic.doctor)
    listed_by_roux = await clinic.client.get("/v1/patients", headers=roux)
    by_desk = await clinic.client.get("/v1/patients", headers=ADMIN)
    both = {"id": [clinic.patient, zoe]}
    by_id = await clinic.client.get("/v1/patients", params=both, headers=clinic.doctor)

    assert own.status_code == 200, own.text
    assert own.json()["phone"] == "+447911123456"
    _refused(not_theirs, "not-their-patient")
    _refused(untreated, "not-their-patient")
    _refused(conditions, "not-their-patient")
    assert [p["id"] for p in listed.json()] == [clinic.patient]
    assert listed_by_roux.json() == []
    assert {p["id"] for p in by_desk.json()} == {clinic.patient, zoe}
    assert [p["id"] for p in by_id.json()] == [clinic.patient]


async def test_a_practitioner_sees_the_patients_of_their_sessions_on_a_colleagues_course(
    clinic: Clinic,
) -> None:
    """Covering a colleague's session makes its patient theirs too."""
    colleague, roux = await _colleague(clinic)
    course = await clinic.course(sessions_planned=1)
    body = {"course_id": course, "starts_at": local(MONDAY), "room_id": clinic.rooms[0]}
    covered = await clinic.post("/v1/sessions", body | {"practitioner_id": colleague})
    assert covered.status_code == 201, covered.text

    read = await clinic.client.get(f"/v1/patients/{clinic.patient}", headers=roux)

    assert read.status_code == 200, read.text


async def test_a_practitioner_changes_only_the_courses_of_patients_they_treat(
    clinic: Clinic,
) -> None:
    course, _ = await _started(clinic)
    _, roux = await _colleague(clinic)
    path = f"/v1/courses/{course}"

    prescription = await clinic.client.patch(
        f"{path}/prescription", json={"sessions_planned": 2}, headers=roux
    )
    override = await clinic.post(
        f"{path}/overrides", {"rule": "maintenance_interval", "reason": "as agreed"}, roux
    )
    gaps = await clinic.post(f"{path}/accept-gaps", {}, roux)
    own = await clinic.client.patch(
        f"{path}/prescription", json={"sessions_planned": 2}, headers=clinic.doctor
    )

    for answer in (prescription, override, gaps):
        _refused(answer, "not-their-patient")
    assert own.status_code == 200, own.text


async def test_the_agenda_names_a_practitioners_own_patients_only(clinic: Clinic) -> None:
    await clinic.book_ok(await clinic.course(), local(MONDAY, 10))
    _, roux = await _colleague(clinic)
    day = {"from": local(MONDAY, 0), "to": local(MONDAY, 23)}

    own = await clinic.client.get("/v1/agenda", params=day, headers=clinic.doctor)
    other = await clinic.client.get("/v1/agenda", params=day, headers=roux)

    assert [e["patient_name"] for e in own.json()] == ["Amelia Hart"]
    assert [e["patient_name"] for e in other.json()] == [None]


async def test_a_practitioner_reads_only_the_courses_of_patients_they_treat(
    clinic: Clinic,
) -> None:
    course, _ = await _started(clinic)
    _, roux = await _colleague(clinic)
    of_patient = {"patient_id": clinic.patient}

    own = await clinic.client.get(f"/v1/courses/{course}", headers=clinic.doctor)
    own_list = await clinic.client.get("/v1/courses", params=of_patient, headers=clinic.doctor)
    read = await clinic.client.get(f"/v1/courses/{course}", headers=roux)
    listed = await clinic.client.get("/v1/courses", params=of_patient, headers=roux)
    history = await clinic.client.get(f"/v1/courses/{course}/prescriptions", headers=roux)
    unlinked = await clinic.client.get(f"/v1/courses/{course}", headers=bearer("practitioner"))
    by_desk = await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)

    assert own.status_code == 200, own.text
    assert own.json()["patient_id"] == clinic.patient
    assert [c["id"] for c in own_list.json()] == [course]
    for answer in (read, listed, history, unlinked):
        _refused(answer, "not-their-patient")
        assert clinic.patient not in answer.text
    assert by_desk.status_code == 200, by_desk.text


async def test_a_practitioner_sees_colleagues_sessions_in_the_calendar_but_not_their_patients(
    clinic: Clinic,
) -> None:
    """The calendar is the clinic's: times, rooms and practitioners are everyone's to see; a
    session names no patient, and its course, which does, is refused."""
    _, session = await _started(clinic)
    _, roux = await _colleague(clinic)
    day = {"from": local(MONDAY, 0), "to": local(MONDAY, 23)}

    listed = await clinic.client.get("/v1/sessions", params=day, headers=roux)
    agenda = await clinic.client.get("/v1/agenda", params=day, headers=roux)
    read = await clinic.client.get(f"/v1/sessions/{session['id']}", headers=roux)
    course = await clinic.client.get(f"/v1/courses/{session['course_id']}", headers=roux)

    for answer in (listed, agenda, read):
        assert answer.status_code == 200, answer.text
        assert clinic.patient not in answer.text
    assert [s["id"] for s in listed.json()] == [session["id"]]
    assert [(e["id"], e["patient_name"]) for e in agenda.json()] == [(session["id"], None)]
    _refused(course, "not-their-patient")
