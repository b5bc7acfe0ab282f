"""A record read on its own comes with its audit trail: who changed it, when, and what."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scheduling.entrypoints.api.course_schemas import CoursePublic, SessionPublic
from scheduling.entrypoints.api.schemas import PatientPublic, UTCInstant


class AuditEntryPublic(BaseModel):
    at: UTCInstant
    by: str = Field(description="The staff member's id (the token's subject), or `system`.")
    role: str
    action: str = Field(
        description="registered, updated, erased; opened, abandoned, completed; booked, "
        "rescheduled, cancelled, no_show, completed."
    )
    fields: list[str] = Field(description="The fields changed, by name; never their values.")


TRAIL = "Every staff change to the record, oldest first."


class PatientRecord(PatientPublic):
    audit: list[AuditEntryPublic] = Field(default_factory=list, description=TRAIL)


class CourseRecord(CoursePublic):
    audit: list[AuditEntryPublic] = Field(default_factory=list, description=TRAIL)


class SessionRecord(SessionPublic):
    audit: list[AuditEntryPublic] = Field(default_factory=list, description=TRAIL)
