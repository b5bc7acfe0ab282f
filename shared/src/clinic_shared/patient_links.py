"""Patients' self-service links: a token bound to one course, signed with its own key.

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
HEADER = "X-Patient-Link"
"""The header the dashboard passes a link in: a header, not a path, so no access log holds it."""
DEVELOPMENT_PATIENT_LINK_KEY = "development-only-patient-link-key-0123456789"


class InvalidLink(Exception):
    """The token is not a link this clinic signed (forged, truncated, another key)."""


@dataclass(frozen=True)
class PatientLink:
    course_id: uuid.UUID


def mint_link(key: str, course_id: uuid.UUID) -> str:
    """A link token for the course's upcoming sessions (about 125 characters)."""
    course = base64.urlsafe_b64encode(course_id.bytes).rstrip(b"=").decode()  # 22, not 36
    claims = {"sub": course, "aud": AUDIENCE}
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"typ": None})


def read_link(key: str, token: str) -> PatientLink:
    """The course a token is bound to; InvalidLink unless this clinic's key signed it."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["sub", "aud"]},
        )
        course_id = uuid.UUID(bytes=base64.urlsafe_b64decode(f"{claims['sub']}=="))
    except (jwt.InvalidTokenError, ValueError, TypeError, binascii.Error) as exc:
        raise InvalidLink("not a link of this clinic") from exc
    return PatientLink(course_id)
