from __future__ import annotations

import uuid

import pytest

from clinic_shared.auth import Role
from clinic_shared.errors import Unprocessable
from dashboard.accounts.model import check_email, check_link, check_password, check_role


def _field(exc: pytest.ExceptionInfo[Unprocessable]) -> str:
    return str(exc.value.extensions["errors"][0]["field"])


def test_emails_are_compared_without_case_or_spaces() -> None:
    assert check_email("  Rita@Clinic.Example ") == "rita@clinic.example"


@pytest.mark.parametrize("email", ["", "rita", "rita@", "@clinic.example", "rita@clinic"])
def test_an_email_without_a_domain_is_refused_on_the_email_field(email: str) -> None:
    with pytest.raises(Unprocessable) as exc:
        check_email(email)
    assert _field(exc) == "email"


def test_a_password_under_ten_characters_is_refused_on_the_password_field() -> None:
    with pytest.raises(Unprocessable, match="at least 10") as exc:
        check_password("short-pw9")
    assert _field(exc) == "password"
    assert check_password("long-enough") == "long-enough"


def test_only_the_four_roles_exist() -> None:
    assert [check_role(r.value) for r in Role] == list(Role)
    with pytest.raises(Unprocessable):
        check_role("superuser")


def test_only_a_practitioners_account_is_linked_to_a_practitioner() -> None:
    practitioner = uuid.uuid4()

    assert check_link(Role.PRACTITIONER, practitioner) == practitioner
    assert check_link(Role.RECEPTIONIST, None) is None
    with pytest.raises(Unprocessable) as refused:
        check_link(Role.STOCK_MANAGER, practitioner)
    assert _field(refused) == "practitioner_id"
