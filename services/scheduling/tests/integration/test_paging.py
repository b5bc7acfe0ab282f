"""Patients and sessions come in pages no larger than the cap, in a stable order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

from clinic_shared.paging import MAX_LIMIT

from .conftest import DESK, MONDAY, Clinic, days, local


async def pages(clinic: Clinic, path: str, size: int, count: int) -> list[list[str]]:
    answers = [
        await clinic.client.get(path, params={"limit": size, "offset": n * size}, headers=DESK)
        for n in range(count)
    ]
    assert [a.status_code for a in answers] == [200] * count
    return [[row["id"] for row in a.json()] for a in answers]


async def test_patients_come_page_after_page_by_name(clinic: Clinic) -> None:
    for name in ("Bea", "Cleo", "Dora", "Eve"):
        await clinic.new_patient(name)
    everyone = (await clinic.client.get("/v1/patients", headers=DESK)).json()

    paged = await pages(clinic, "/v1/patients", 2, 3)

    assert [row["first_name"] for row in everyone] == ["Amelia", "Bea", "Cleo", "Dora", "Eve"]
    assert paged == [[r["id"] for r in everyone[i : i + 2]] for i in (0, 2, 4)]


async def test_sessions_come_page_after_page_by_start(clinic: Clinic) -> None:
    course = await clinic.course()
    booked = [(await clinic.book_ok(course, local(MONDAY + days(7 * n))))["id"] for n in range(5)]

    paged = await pages(clinic, "/v1/sessions", 2, 3)

    assert paged == [booked[0:2], booked[2:4], booked[4:5]]


async def test_a_page_larger_than_the_cap_is_a_422_naming_limit(clinic: Clinic) -> None:
    for path in ("/v1/patients", "/v1/sessions"):
        too_big = await clinic.client.get(path, params={"limit": MAX_LIMIT + 1}, headers=DESK)
        negative = await clinic.client.get(path, params={"offset": -1}, headers=DESK)

        assert too_big.status_code == 422
        assert too_big.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in too_big.json()["errors"]] == ["query.limit"]
        assert [e["field"] for e in negative.json()["errors"]] == ["query.offset"]


async def test_patients_come_in_the_order_asked_and_pages_follow_it(clinic: Clinic) -> None:
    for hour, name in enumerate(("Eve", "Bea", "Dora")):
        clinic.travel_to(datetime.combine(MONDAY, time(9 + hour), tzinfo=UTC))
        await clinic.new_patient(name)

    async def names(sort: str, offset: int = 0) -> list[str]:
        params = {"sort": sort, "limit": 2, "offset": offset}
        found = await clinic.client.get("/v1/patients", params=params, headers=DESK)
        assert found.status_code == 200, found.text
        return [row["first_name"] for row in found.json()]

    assert await names("-name") + await names("-name", 2) == ["Eve", "Dora", "Bea", "Amelia"]
    assert await names("registered") + await names("registered", 2) == [
        "Amelia", "Eve", "Bea", "Dora"
    ]  # fmt: skip
    assert await names("-registered") == ["Dora", "Bea"]


async def test_an_unknown_patient_order_is_a_422_naming_sort(clinic: Clinic) -> None:
    refused = await clinic.client.get("/v1/patients", params={"sort": "phone"}, headers=DESK)

    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["query.sort"]


async def test_patients_asked_by_id_come_alone_in_one_answer(clinic: Clinic) -> None:
    """The message log names a page's patients in one request, not one per patient."""
    bea, _, dora = [await clinic.new_patient(name) for name in ("Bea", "Cleo", "Dora")]

    found = await clinic.client.get("/v1/patients", params={"id": [dora, bea]}, headers=DESK)

    assert found.status_code == 200, found.text
    assert [row["first_name"] for row in found.json()] == ["Bea", "Dora"]


async def test_more_ids_than_a_page_holds_is_a_422_naming_id(clinic: Clinic) -> None:
    ids = [str(uuid.uuid4()) for _ in range(51)]
    refused = await clinic.client.get("/v1/patients", params={"id": ids}, headers=DESK)
    not_an_id = await clinic.client.get("/v1/patients", params={"id": "zoe"}, headers=DESK)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["query.id"]
    assert not_an_id.status_code == 422
    assert [e["field"] for e in not_an_id.json()["errors"]] == ["query.id.0"]
