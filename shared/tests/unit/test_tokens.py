"""Bearer tokens: a valid one names a role and a subject, anything else is refused with 401."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_shared.auth import Principal, Role, TokenVerifier, mint_token
from clinic_shared.errors import Unauthorized

SECRET = "unit-test-secret-0123456789-abcdefghijklmnop"
verifier = TokenVerifier(SECRET)


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base = {
        "sub": "alice",
        "role": "admin",
        "iss": "clinic",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    return {k: v for k, v in (base | overrides).items() if v is not None}


def refused(token: str) -> Unauthorized:
    with pytest.raises(Unauthorized) as info:
        verifier.verify(token)
    assert info.value.status == 401
    return info.value


def test_minted_token_verifies_to_its_role_and_subject() -> None:
    token = mint_token(SECRET, role=Role.RECEPTIONIST, subject="front-desk-1")
    assert verifier.verify(token) == Principal(subject="front-desk-1", role=Role.RECEPTIONIST)


def test_minted_token_without_subject_gets_one_naming_the_role() -> None:
    principal = verifier.verify(mint_token(SECRET, role=Role.STOCK_MANAGER))
    assert principal.role is Role.STOCK_MANAGER
    assert principal.subject.startswith("stock_manager-")


@settings(max_examples=25, deadline=None)
@given(role=st.sampled_from(Role), subject=st.text(min_size=1, max_size=60))
def test_every_role_and_subject_survive_the_round_trip(role: Role, subject: str) -> None:
    principal = verifier.verify(mint_token(SECRET, role=role, subject=subject))
    assert principal == Principal(subject=subject, role=role)


def test_expired_token_is_refused_with_401_saying_it_expired() -> None:
    token = mint_token(
        SECRET,
        role=Role.ADMIN,
        now=datetime.now(UTC) - timedelta(hours=9),
        ttl=timedelta(hours=8),
    )
    error = refused(token)
    assert "expired" in error.detail


def test_token_signed_with_another_secret_is_refused_with_401() -> None:
    token = mint_token("another-secret-0123456789-abcdefghijklmnop", role=Role.ADMIN)
    assert "invalid" in refused(token).detail


def test_unsigned_alg_none_token_is_refused_with_401() -> None:
    token = jwt.encode(claims(), None, algorithm="none")
    refused(token)


def test_unsigned_alg_none_token_built_by_hand_is_refused_with_401() -> None:
    good = mint_token(SECRET, role=Role.ADMIN)
    _, payload, _ = good.split(".")
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    refused(f"{header}.{payload}.")


def test_token_with_another_hmac_algorithm_is_refused_with_401() -> None:
    refused(jwt.encode(claims(), SECRET * 2, algorithm="HS512"))


def test_token_naming_an_unknown_role_is_refused_with_401() -> None:
    error = refused(jwt.encode(claims(role="superuser"), SECRET, algorithm="HS256"))
    assert "role" in error.detail


def test_token_with_a_non_string_role_is_refused_with_401() -> None:
    refused(jwt.encode(claims(role=["admin"]), SECRET, algorithm="HS256"))


def test_token_from_another_issuer_is_refused_with_401() -> None:
    refused(mint_token(SECRET, role=Role.ADMIN, issuer="someone-else"))


def test_verifier_with_a_custom_issuer_accepts_that_issuer_only() -> None:
    custom = TokenVerifier(SECRET, issuer="clinic-eu")
    token = mint_token(SECRET, role=Role.PRACTITIONER, subject="dr", issuer="clinic-eu")
    assert custom.verify(token).role is Role.PRACTITIONER
    with pytest.raises(Unauthorized):
        verifier.verify(token)


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "role", "iss"])
def test_token_missing_a_required_claim_is_refused_with_401(missing: str) -> None:
    token = jwt.encode(
        {k: v for k, v in claims().items() if k != missing}, SECRET, algorithm="HS256"
    )
    refused(token)


@pytest.mark.parametrize("garbage", ["", "not-a-jwt", "a.b.c", "Bearer x.y.z"])
def test_garbage_token_is_refused_with_401(garbage: str) -> None:
    refused(garbage)


def test_tampered_payload_is_refused_with_401() -> None:
    token = mint_token(SECRET, role=Role.RECEPTIONIST, subject="bob")
    header, payload, signature = token.split(".")
    body = json.loads(jwt.utils.base64url_decode(payload))
    body["role"] = "admin"
    forged = jwt.utils.base64url_encode(json.dumps(body).encode()).decode()
    refused(f"{header}.{forged}.{signature}")


def test_make_token_prints_a_token_the_services_accept_for_the_role() -> None:
    environment = {**os.environ, "CLINIC_JWT_SECRET": SECRET, "CLINIC_JWT_ISSUER": "clinic"}
    printed = subprocess.run(
        [sys.executable, "-m", "clinic_shared.tokens", "--role", "stock_manager"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert verifier.verify(printed.splitlines()[-1]).role is Role.STOCK_MANAGER


def test_minting_a_token_imports_neither_the_web_framework_nor_the_database_layer() -> None:
    """What keeps `make token` quick: it loads PyJWT, not FastAPI and SQLAlchemy (4-5 s before)."""
    probe = (
        "import sys, clinic_shared.tokens; "
        "print(sorted({'fastapi', 'sqlalchemy'} & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_a_token_living_longer_than_the_clinic_allows_is_refused_with_401() -> None:
    """A leaked token cannot be made to last: the review minted one valid for 100 years."""
    century = mint_token(SECRET, role=Role.ADMIN, ttl=timedelta(days=36_500))
    with pytest.raises(Unauthorized, match="lives longer than this clinic allows"):
        verifier.verify(century)
    assert verifier.verify(mint_token(SECRET, role=Role.ADMIN, ttl=timedelta(hours=8)))


def test_the_longest_lifetime_is_the_clinics_to_set() -> None:
    strict = TokenVerifier(SECRET, max_lifetime_seconds=3600)
    with pytest.raises(Unauthorized, match="3600 s"):
        strict.verify(mint_token(SECRET, role=Role.ADMIN, ttl=timedelta(hours=2)))
    assert strict.verify(mint_token(SECRET, role=Role.ADMIN, ttl=timedelta(minutes=30)))


def test_a_practitioners_token_carries_the_practitioner_it_acts_as() -> None:
    practitioner = uuid.uuid4()
    token = mint_token(
        SECRET, role=Role.PRACTITIONER, subject="nurse", practitioner_id=practitioner
    )

    principal = verifier.verify(token)

    assert principal.practitioner_id == practitioner
    assert principal.is_practitioner(practitioner)
    assert not principal.is_practitioner(uuid.uuid4())


def test_a_practitioners_token_without_a_practitioner_is_valid_but_acts_as_no_one() -> None:
    principal = verifier.verify(mint_token(SECRET, role=Role.PRACTITIONER))

    assert principal.practitioner_id is None
    assert not principal.is_practitioner(uuid.uuid4())


def test_a_practitioner_id_that_is_not_a_uuid_is_refused_with_401() -> None:
    token = jwt.encode(
        claims(role="practitioner", practitioner_id="dr-who"), SECRET, algorithm="HS256"
    )
    assert "practitioner_id" in refused(token).detail


def test_another_role_naming_a_practitioner_is_refused_with_401() -> None:
    """An admin's token cannot pass for a practitioner's, nor a receptionist's claim one."""
    token = jwt.encode(
        claims(role="receptionist", practitioner_id=str(uuid.uuid4())), SECRET, algorithm="HS256"
    )
    assert "practitioner" in refused(token).detail


def test_make_token_names_the_practitioner_given() -> None:
    practitioner = uuid.uuid4()
    environment = {**os.environ, "CLINIC_JWT_SECRET": SECRET, "CLINIC_JWT_ISSUER": "clinic"}
    printed = subprocess.run(
        [
            *(sys.executable, "-m", "clinic_shared.tokens", "--role", "practitioner"),
            *("--practitioner-id", str(practitioner)),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert verifier.verify(printed.splitlines()[-1]).practitioner_id == practitioner
