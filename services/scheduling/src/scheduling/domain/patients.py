"""Patients: who they are and how the clinic may reach them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

import phonenumbers

from clinic_shared.errors import Unprocessable

Channel = Literal["sms", "email"]


@dataclass(frozen=True)
class Patient:
    id: uuid.UUID
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    language: str
    preferred_channel: Channel
    consent_sms: bool
    consent_email: bool
    created_at: datetime
    erased_at: datetime | None = None
    duplicate_of: uuid.UUID | None = None
    """The patient this one matched when staff registered them anyway (`allow_duplicate`)."""


def normalise_phone(raw: str, default_region: str) -> str:
    """The number in E.164 (`+447700900123`), or Unprocessable naming the field."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise Unprocessable(
            "The phone number could not be read.",
            errors=[{"field": "body.phone", "reason": "not a phone number"}],
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise Unprocessable(
            "The phone number is not a valid number.",
            errors=[{"field": "body.phone", "reason": "not a valid number for its country"}],
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_reachable(
    *, phone: str | None, email: str | None, preferred: Channel, sms: bool, mail: bool
) -> None:
    """A preferred or consented channel needs its address."""
    problems = []
    if (preferred == "sms" or sms) and phone is None:
        problems.append({"field": "body.phone", "reason": "required for SMS"})
    if (preferred == "email" or mail) and email is None:
        problems.append({"field": "body.email", "reason": "required for email"})
    if problems:
        raise Unprocessable("The patient cannot be reached as asked.", errors=problems)


ERASED_NAME = "erased"


def anonymised(patient: Patient, *, now: datetime) -> Patient:
    """Nothing left that names or reaches the patient; a second erasure changes nothing."""
    if patient.erased_at is not None:
        return patient
    return replace(
        patient,
        first_name=ERASED_NAME,
        last_name=ERASED_NAME,
        phone=None,
        email=None,
        consent_sms=False,
        consent_email=False,
        erased_at=now,
    )
