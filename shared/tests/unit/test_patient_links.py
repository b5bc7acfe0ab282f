"""Patients' self-service link tokens: bound to one course, signed with their own key."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import jwt
import pytest

from clinic_shared.patient_links import InvalidLink, mint_link, read_link
from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET, Role, mint_token

KEY = "a-test-patient-link-key-0123456789-abcdefgh"


def test_a_link_names_its_course_and_when_it_was_made() -> None:
    course = uuid.uuid4()
    made = datetime(2026, 3, 4, 8, tzinfo=UTC)
    link = read_link(KEY, mint_link(KEY, course, now=made))
    assert (link.course_id, link.issued_at) == (course, made)


def test_a_link_is_short_enough_for_a_text_message() -> None:
    assert len(mint_link(KEY, uuid.uuid4())) <= 150


@pytest.mark.parametrize(
    "token",
    [
        mint_link("another-key-0123456789-abcdefghijklmnopqrstuv", uuid.uuid4()),
        mint_link(KEY, uuid.uuid4())[:-2],
        mint_token(KEY, role=Role.ADMIN),  # a staff token signed with the same text
        mint_token(DEVELOPMENT_JWT_SECRET, role=Role.ADMIN),
        jwt.encode({"sub": "x", "aud": "pl", "iat": 1}, KEY, algorithm="HS256"),
        jwt.encode({"sub": "AAAA", "aud": "pl", "iat": 1}, "", algorithm="none"),
        "",
        "not.a.token",
    ],
    ids=["other key", "cut", "staff token", "dev staff", "bad course", "alg none", "empty", "junk"],
)
def test_anything_but_this_clinics_link_is_refused(token: str) -> None:
    with pytest.raises(InvalidLink):
        read_link(KEY, token)
