"""Schemathesis on scheduling: no 5xx, no answer outside its OpenAPI, nothing without a token.

Scheduling starts with the demo clinic plus an open course with room for bookings, and the hooks
(`tests.fuzz.hooks`) put their real ids (and the course's free slots) into some of the generated
requests: without them almost every request that names a course, patient, session or slot is
answered 404 or 422 before it reaches the rules.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from clinic_shared.auth import Role, mint_token
from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET
from clinic_testing.fuzz import schemathesis
from scheduling.seed import AMELIA, CHLOE, DR_DUBOIS, NURSE_PATEL, ROOMS

from .hooks import KNOWN_ENV

pytestmark = [pytest.mark.fuzz, pytest.mark.postgres, pytest.mark.rabbitmq]


@pytest.fixture
def seed_scheduling() -> bool:
    return True


def admin(base_url: str) -> httpx.AsyncClient:
    token = mint_token(DEVELOPMENT_JWT_SECRET, role=Role.ADMIN)
    return httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"})


async def open_course(base_url: str) -> tuple[str, list[str]]:
    """A new course for Chloé (the demo's course is fully booked) and the slots its plan offers."""
    async with admin(base_url) as client:
        opened = await client.post(
            "/v1/courses",
            json={
                "patient_id": str(CHLOE),
                "treatment_code": "cellulite-abdomen",
                "practitioner_id": str(NURSE_PATEL),
            },
        )
        assert opened.status_code == 201, opened.text
        course_id = opened.json()["id"]
        plan = await client.post(f"/v1/courses/{course_id}/plan", json={})
        assert plan.status_code == 200, plan.text
    return course_id, [slot["starts_at"] for slot in plan.json()]


async def known_values(base_url: str, course_id: str, slots: list[str]) -> dict[str, list[Any]]:
    """Real ids, each list in an order that does not change from run to run (uuid4s do)."""
    async with admin(base_url) as client:
        demo = (await client.get("/v1/courses", params={"patient_id": str(AMELIA)})).json()
        treatments = (await client.get("/v1/treatments")).json()
    (amelia_course,) = demo
    sessions = sorted(amelia_course["sessions"], key=lambda session: session["sequence"])
    return {
        "course_id": [amelia_course["id"], course_id],
        "session_id": [session["id"] for session in sessions],
        "patient_id": [str(AMELIA), str(CHLOE)],
        "practitioner_id": [str(DR_DUBOIS), str(NURSE_PATEL)],
        "room_id": sorted(str(room) for room in ROOMS),
        "treatment_code": sorted(treatment["code"] for treatment in treatments),
        "starts_at": slots,
    }


@pytest.mark.timeout(900)
async def test_scheduling_api_holds_under_schemathesis(fuzz_stack, schemathesis_config) -> None:
    base_url = fuzz_stack["scheduling"]
    course_id, slots = await open_course(base_url)
    known = await known_values(base_url, course_id, slots)
    env = {"SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", KNOWN_ENV: json.dumps(known)}
    run = await schemathesis("scheduling", base_url, config=schemathesis_config, env=env)
    run.assert_clean()
    async with admin(base_url) as client:
        course = (await client.get(f"/v1/courses/{course_id}")).json()
    assert course["sessions"], "the fuzzer booked no session: it no longer reaches booking"
