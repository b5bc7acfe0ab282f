"""Scheduling's model: treatments, practitioners' hours, courses and their sessions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum


class SessionStatus(StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


# Sessions that hold their slot and count towards the course; cancelled and missed ones do not.
ACTIVE = frozenset({SessionStatus.BOOKED, SessionStatus.CONFIRMED, SessionStatus.COMPLETED})
UPCOMING = frozenset({SessionStatus.BOOKED, SessionStatus.CONFIRMED})


class CourseStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class Treatment:
    code: str
    name: str
    area: str
    session_minutes: int
    default_sessions: int
    min_interval_days: int
    max_interval_days: int
    maintenance_interval_days: int | None = None
    contains: Sequence[str] = ()  # substances its standard kit holds (lidocaine, caffeine, ...)
    contraindications: Sequence[str] = ()  # conditions that rule it out (pregnancy, ...)


@dataclass(frozen=True)
class Practitioner:
    id: uuid.UUID
    name: str
    email: str | None


@dataclass(frozen=True)
class Room:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class WorkingHours:
    weekday: int  # 0 = Monday, in the clinic's time zone
    start: time
    end: time


class AbsenceKind(StrEnum):
    TIME_OFF = "time_off"  # a practitioner's
    CLOSURE = "closure"  # the clinic's own, entered by staff
    HOLIDAY = "holiday"  # a public holiday the clinic has not chosen to open on


@dataclass(frozen=True)
class TimeOff:
    """A span nobody is booked in: a practitioner's time off, or the clinic closed (`kind`)."""

    starts_at: datetime
    ends_at: datetime
    reason: str = ""
    kind: AbsenceKind = AbsenceKind.TIME_OFF
    id: uuid.UUID | None = None  # the time off's or the closure's; a holiday has none


@dataclass(frozen=True)
class Closure:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str
    opened_by: str | None = None  # who chose to open the clinic that day; None: closed


@dataclass(frozen=True)
class Course:
    id: uuid.UUID
    patient_id: uuid.UUID
    treatment_code: str
    practitioner_id: uuid.UUID
    sessions_planned: int
    status: CourseStatus
    created_at: datetime
    # The prescription as it stands: the interval (None: the treatment's), the kit's changes
    # (product code: vials per session), which revision it is, and who set it.
    min_interval_days: int | None = None
    max_interval_days: int | None = None
    kit_adjustments: Mapping[str, int] = field(default_factory=dict)
    prescription_revision: int = 1
    prescribed_by: str | None = None
    prescribed_at: datetime | None = None


@dataclass(frozen=True)
class Session:
    id: uuid.UUID
    course_id: uuid.UUID
    patient_id: uuid.UUID  # the course's
    sequence: int
    practitioner_id: uuid.UUID
    room_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: SessionStatus
    stock_at_risk: bool = False
    closure_conflict: str | None = None  # time off or a closure was recorded over it (force)
    revision: int = 0  # its iCalendar SEQUENCE: grows on every move and on a cancel

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


@dataclass(frozen=True)
class AgendaEntry:
    """A session with the names the agenda shows beside it: its treatment, practitioner and
    room, and its patient's name where the reader may see it (None otherwise)."""

    session: Session
    treatment_code: str
    treatment_name: str
    practitioner_name: str
    room_name: str
    patient_name: str | None


@dataclass(frozen=True)
class Window:
    """The clinic-local calendar days a session may fall on, both ends included."""

    earliest: date | None
    latest: date | None

    def contains(self, day: date) -> bool:
        return (self.earliest is None or day >= self.earliest) and (
            self.latest is None or day <= self.latest
        )

    @property
    def empty(self) -> bool:
        return self.earliest is not None and self.latest is not None and self.earliest > self.latest
