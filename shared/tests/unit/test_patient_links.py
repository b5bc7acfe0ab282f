"""Patients' self-service link tokens: bound to one course, signed with their own key."""

from __future__ import annotations

import uuid

import jwt
import pytest

from clinic_shared.patient_links import InvalidLink, mint_link, read_link
from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET, Role, mint_token

KEY = "a-test-patient-link-key-0123456789-abcdefgh"


def test_a_link_names_its_course() -> None:
    course = uuid.uuid4()
    assert read_link(KEY, mint_link(KEY, course)).course_id == course


def test_a_link_is_short_enough_for_a_text_message() -> None:
    assert len(mint_link(KEY, uuid.uuid4())) <= 125


@pytest.mark.parametrize(
    "token",
    [
        mint_link("another-key-0123456789-abcdefghijklmnopqrstuv", uuid.uuid4()),
        mint_link(KEY, uuid.uuid4())[:-2],
        mint_token(KEY, role=Role.ADMIN),  # a staff token signed with the same text
        mint_token(DEVELOPMENT_JWT_SECRET, role=Role.ADMIN),
        jwt.encode({"sub": "x", "aud": "pl"}, KEY, algorithm="HS256"),
        jwt.encode({"sub": "AAAAAAAAAAAAAAAAAAAAAA", "aud": "pl"}, "", algorithm="none"),
        jwt.encode({"sub": "AAAAAAAAAAAAAAAAAAAAAA"}, KEY, algorithm="HS256"),
        "",
        "not.a.token",
    ],
    ids=[
        "other key",
        "cut",
        "staff token",
        "dev staff",
        "bad course",
        "alg none",
        "no audience",
        "empty",
        "junk",
    ],
)
def test_anything_but_this_clinics_link_is_refused(token: str) -> None:
    with pytest.raises(InvalidLink):
        read_link(KEY, token)
