"""Staff accounts: who signs in to the dashboard, and the rules on their details."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from clinic_shared.auth import Role
from clinic_shared.errors import Conflict, Unprocessable
from dashboard.i18n import _

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


@dataclass(frozen=True)
class StaffAccount:
    id: uuid.UUID
    name: str
    email: str
    role: Role
    active: bool = True
    practitioner_id: uuid.UUID | None = None
    """A practitioner's account: the scheduling practitioner it is. Its tokens name them, so
    they act on their own sessions and read their own patients; unlinked, on none."""
    language: str | None = None  # None: the browser's


def normalise_email(email: str) -> str:
    """Emails compare without case or surrounding spaces."""
    return email.strip().lower()


def check_email(email: str) -> str:
    email = normalise_email(email)
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or len(email) > 320:
        raise invalid("email", _("Enter an email address such as name@clinic.example."))
    return email


def check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise invalid("name", _("Enter the person's name."))
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise invalid(
            "password", _("Use at least %(count)s characters.") % {"count": MIN_PASSWORD_LENGTH}
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise invalid(
            "password", _("Use at most %(count)s characters.") % {"count": MAX_PASSWORD_LENGTH}
        )
    return password


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise invalid("role", _("Choose one of the roles in the list.")) from None


def check_link(role: Role, practitioner_id: uuid.UUID | None) -> uuid.UUID | None:
    """Only a practitioner's account is linked to a scheduling practitioner."""
    if practitioner_id is not None and role is not Role.PRACTITIONER:
        raise invalid("practitioner_id", _("Only a practitioner's account is linked to one."))
    return practitioner_id


class PractitionerTaken(Conflict):
    """One account per practitioner: a second would act on the first one's sessions."""

    def __init__(self, holder: str | None = None) -> None:
        reason = (
            _("%(name)s's account is already linked to this practitioner.") % {"name": holder}
            if holder
            else _("Another account is already linked to this practitioner.")
        )
        super().__init__(reason, errors=[{"field": "practitioner_id", "reason": reason}])


def invalid(field: str, reason: str) -> Unprocessable:
    """A 422 naming the form field and why, in the shape the services use."""
    return Unprocessable(reason, errors=[{"field": field, "reason": reason}])
