"""Scheduling's session list for reconciliation (`GET /v1/sessions/states`): each session's
current facts and their version, the contract scheduling answers and its consumers read.

`version` is the instant the session's row was last written, on the same clock as the events'
`occurred_at`: every event about an earlier change of the session is older than it, and the event
of this change is not. A consumer that applies these facts as of `version` therefore passes the
same newest-first guard as the events, and a repair never overwrites a newer state.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from clinic_shared.contracts.events import ProductUsed

OwnerStatus = Literal["booked", "confirmed", "completed", "cancelled", "no_show"]


class SessionState(BaseModel):
    """One session as scheduling holds it now."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    session_id: uuid.UUID
    course_id: uuid.UUID
    patient_id: uuid.UUID
    practitioner_id: uuid.UUID
    room_id: uuid.UUID
    treatment_code: str
    sequence: int = Field(ge=0)  # 0 until the course numbers it
    sessions_planned: int = Field(ge=1)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    status: OwnerStatus
    products_used: list[ProductUsed] = Field(default_factory=list)
    version: AwareDatetime

    @property
    def upcoming(self) -> bool:
        """Booked or confirmed: it holds its slot and has not happened yet."""
        return self.status in ("booked", "confirmed")

    def facts(self) -> dict[str, Any]:
        """The fields every session event carries, as the owner holds them now (a session not
        numbered yet is sent as number 1, the least an event accepts)."""
        return {
            "session_id": self.session_id,
            "course_id": self.course_id,
            "patient_id": self.patient_id,
            "practitioner_id": self.practitioner_id,
            "room_id": self.room_id,
            "treatment_code": self.treatment_code,
            "sequence": max(1, self.sequence),
            "sessions_planned": self.sessions_planned,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
        }


class SessionStatesPage(BaseModel):
    """A page of sessions in version order; `next` is the cursor of the following page (None on
    the last)."""

    model_config = ConfigDict(extra="ignore")

    items: list[SessionState]
    next: str | None = None
