"""Patients' self-service links: a token bound to one course, or to one waitlist offer, signed
with its own key.

The token names the course, nothing else (no patient data, no time: one course's links are
alike, and short enough for a text message). It carries no expiry of its own: scheduling holds it
valid while the course has an upcoming session, so it lapses when the last one starts, and
refuses it once the patient is erased.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
AUDIENCE = "pl"  # short: the link goes in SMS, where every character counts
OFFER_AUDIENCE = "po"  # an offer's link: a course's token is never taken for one, nor the reverse
HEADER = "X-Patient-Link"
"""The header the dashboard passes a link in: a header, not a path, so no access log holds it."""
DEVELOPMENT_PATIENT_LINK_KEY = "development-only-patient-link-key-0123456789"


class InvalidLink(Exception):
    """The token is not a link this clinic signed (forged, truncated, another key)."""


@dataclass(frozen=True)
class PatientLink:
    course_id: uuid.UUID


@dataclass(frozen=True)
class OfferLink:
    offer_id: uuid.UUID


def mint_link(key: str, course_id: uuid.UUID) -> str:
    """A link token for the course's upcoming sessions (about 125 characters)."""
    return _mint(key, course_id, AUDIENCE)


def read_link(key: str, token: str) -> PatientLink:
    """The course a token is bound to; InvalidLink unless this clinic's key signed it."""
    return PatientLink(_read(key, token, AUDIENCE))


def mint_offer_link(key: str, offer_id: uuid.UUID) -> str:
    """A link token for one waitlist offer; scheduling holds it valid until the offer expires."""
    return _mint(key, offer_id, OFFER_AUDIENCE)


def read_offer_link(key: str, token: str) -> OfferLink:
    """The offer a token is bound to; InvalidLink unless this clinic's key signed it as one."""
    return OfferLink(_read(key, token, OFFER_AUDIENCE))


def _mint(key: str, subject: uuid.UUID, audience: str) -> str:
    sub = base64.urlsafe_b64encode(subject.bytes).rstrip(b"=").decode()  # 22, not 36
    claims = {"sub": sub, "aud": audience}
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"typ": None})


def _read(key: str, token: str, audience: str) -> uuid.UUID:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            options={"require": ["sub", "aud"]},
        )
        return uuid.UUID(bytes=base64.urlsafe_b64decode(f"{claims['sub']}=="))
    except (jwt.InvalidTokenError, ValueError, TypeError, binascii.Error) as exc:
        raise InvalidLink("not a link of this clinic") from exc
