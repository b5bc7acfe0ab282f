"""Request and response bodies of scheduling's API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    field_validator,
)

from clinic_shared.fields import Language


def _in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UTCInstant = Annotated[AwareDatetime, AfterValidator(_in_utc)]
"""An instant in an answer: always written in UTC (`...Z`), whatever offset it was sent with or
the clock gave it."""


class PatientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: uuid.UUID | None = Field(
        None, description="Client-chosen id; repeating a request with it registers once."
    )
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(None, min_length=3, max_length=32, examples=["+44 7700 900123"])
    email: EmailStr | None = Field(None, max_length=254)
    language: Language = "en"
    preferred_channel: Literal["sms", "email"] = "sms"
    consent_sms: StrictBool = False
    consent_email: StrictBool = False
    allow_duplicate: StrictBool = Field(
        False,
        description=(
            "Register even if a patient has this email, or this phone and name (409 otherwise); "
            "the patient matched is recorded as `duplicate_of`."
        ),
    )


CONSENT_ELSEWHERE = (
    "consent is changed in notifications (PUT /v1/patients/{patient_id}/preferences), whose "
    "ledger owns it; this field only shows its copy"
)


class PatientUpdate(BaseModel):
    """Only the fields sent change; `null` clears a phone or an email. Consent is not changed
    here: an edit never gives back a consent the patient withdrew."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    phone: str | None = Field(None, min_length=3, max_length=32)
    email: EmailStr | None = Field(None, max_length=254)
    language: Language | None = None
    preferred_channel: Literal["sms", "email"] | None = None
    consent_sms: StrictBool | None = Field(None, description=f"Refused: {CONSENT_ELSEWHERE}.")
    consent_email: StrictBool | None = Field(None, description=f"Refused: {CONSENT_ELSEWHERE}.")

    @field_validator("consent_sms", "consent_email")
    @classmethod
    def _consent_is_not_changed_here(cls, value: bool | None) -> None:
        raise ValueError(CONSENT_ELSEWHERE)

    def changes(self) -> dict[str, object]:
        sent = self.model_dump(exclude_unset=True)
        nullable = {"phone", "email"}
        return {k: v for k, v in sent.items() if v is not None or k in nullable}


class PatientPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    language: str
    preferred_channel: Literal["sms", "email"]
    consent_sms: bool = Field(description="As notifications' consent ledger last told.")
    consent_email: bool = Field(description="As notifications' consent ledger last told.")
    created_at: UTCInstant
    erased_at: UTCInstant | None = Field(
        None, description="When the patient was erased: names and contact details are gone."
    )
    duplicate_of: uuid.UUID | None = Field(
        None, description="The patient this one matched when registered with allow_duplicate."
    )


class Strict(BaseModel):
    """A request body: no field it does not declare, text trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
