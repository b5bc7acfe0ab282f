"""Patients: who they are and how the clinic may reach them."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

import phonenumbers

from clinic_shared.errors import Unprocessable

Channel = Literal["sms", "email"]


@dataclass(frozen=True)
class PatientName:
    """A patient as a recall names them: no contact details."""

    id: uuid.UUID
    first_name: str
    last_name: str


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


def normalise_phone(raw: str, country: str) -> str:
    """The number in E.164 (`+33612345678`), read as the clinic's `country` writes numbers when it
    has no `+` country code (`06 12 34 56 78` in FR), or Unprocessable naming the field and the
    country it was read for."""
    e164 = phone_or_none(raw, country)
    if e164 is None:
        raise Unprocessable(
            f"The phone number is not a valid number in {country}; a number from another "
            "country needs its + country code.",
            country=country,
            errors=[{"field": "body.phone", "reason": f"not a valid phone number in {country}"}],
        )
    return e164


def phone_or_none(raw: str, country: str) -> str | None:
    """The number in E.164 if `raw` reads as one (as `normalise_phone` reads it), else None."""
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})
"""Letters Unicode does not decompose into a base letter and an accent."""


def name_key(*names: str) -> str:
    """What a name is searched by: accents, ligatures and case dropped and spaces collapsed, so
    that "chloe" finds "Chloé", "laetitia" finds "Lætitia" and "MARTIN" finds "Martin"."""
    decomposed = unicodedata.normalize("NFKD", " ".join(names))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().translate(_LIGATURES).split())


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
