"""Scheduling's rule violations, each mapped to its HTTP status by its base class."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from clinic_shared.errors import AppError, Conflict, Forbidden, Unprocessable

if TYPE_CHECKING:
    from scheduling.domain.model import Course, Session, TimeOff, Window, WorkingHours
    from scheduling.domain.patients import Patient


class IntervalViolation(Unprocessable):
    type_slug = "interval-violation"

    def __init__(self, window: Window, field: str = "body.starts_at") -> None:
        earliest = window.earliest.isoformat() if window.earliest else None
        latest = window.latest.isoformat() if window.latest else None
        super().__init__(
            f"Sessions of this course must fall between {earliest or 'any day'} and "
            f"{latest or 'any day'} (clinic calendar days).",
            window={"earliest": earliest, "latest": latest},
            errors=[{"field": field, "reason": "outside the allowed interval window"}],
        )


class OutsideHorizon(Unprocessable):
    type_slug = "outside-horizon"

    def __init__(self, field: str, earliest: date, latest: date) -> None:
        """`earliest` and `latest`: days, or instants (datetimes) for a field of instants."""
        first, last = earliest.isoformat(), latest.isoformat()
        super().__init__(
            f"Dates must fall between {first} and {last}: the clinic books no further ahead "
            "and keeps nothing older.",
            horizon={"earliest": first, "latest": last},
            errors=[{"field": field, "reason": f"outside {first} to {last}"}],
        )


class StartsInThePast(Unprocessable):
    def __init__(self, starts_at: datetime, field: str = "body.starts_at") -> None:
        super().__init__(
            "A session cannot start in the past.",
            errors=[{"field": field, "reason": "in the past"}],
        )


class OutsideWorkingHours(Unprocessable):
    type_slug = "outside-working-hours"

    def __init__(
        self,
        starts_at: datetime,
        hours: Sequence[WorkingHours],
        zone: ZoneInfo,
        field: str = "body.starts_at",
    ) -> None:
        weekday = starts_at.astimezone(zone).weekday()
        that_day = [f"{h.start:%H:%M}-{h.end:%H:%M}" for h in hours if h.weekday == weekday]
        super().__init__(
            "The practitioner does not work then."
            + (f" Hours that day: {', '.join(that_day)}." if that_day else " Not a working day."),
            working_hours=that_day,
            errors=[{"field": field, "reason": "outside the practitioner's working hours"}],
        )


def absence_facts(away: TimeOff) -> dict[str, object]:
    """A time off, closure or closed holiday as an answer names it."""
    return {
        "kind": away.kind.value,
        "id": str(away.id) if away.id else None,
        "reason": away.reason,
        "starts_at": away.starts_at.astimezone(UTC).isoformat(),
        "ends_at": away.ends_at.astimezone(UTC).isoformat(),
    }


class PractitionerAway(Unprocessable):
    type_slug = "practitioner-away"

    def __init__(self, away: TimeOff, field: str = "body.starts_at") -> None:
        super().__init__(
            f"The practitioner is away from {away.starts_at.isoformat()} "
            f"to {away.ends_at.isoformat()}.",
            closure=absence_facts(away),
            errors=[{"field": field, "reason": "during the practitioner's time off"}],
        )


class ClinicClosed(Unprocessable):
    """A slot inside a closure of the clinic, or a public holiday it has not chosen to open on."""

    type_slug = "clinic-closed"

    def __init__(self, closed: TimeOff, field: str = "body.starts_at") -> None:
        what = "a public holiday" if closed.kind == "holiday" else "closed"
        super().__init__(
            f"The clinic is closed then ({what}: {closed.reason or 'no reason given'}, "
            f"{closed.starts_at.isoformat()} to {closed.ends_at.isoformat()}).",
            closure=absence_facts(closed),
            errors=[{"field": field, "reason": f"the clinic is closed: {closed.reason}"}],
        )


class SessionsCovered(Conflict):
    """Time off or a closure over booked sessions, recorded without `force: true`."""

    type_slug = "sessions-covered"

    def __init__(self, covered: Sequence[Session]) -> None:
        super().__init__(
            f"{len(covered)} booked session(s) fall inside it: move or cancel them first, or "
            "send force: true to record it anyway and flag them for staff.",
            sessions=[
                {
                    "id": str(s.id),
                    "course_id": str(s.course_id),
                    "practitioner_id": str(s.practitioner_id),
                    "starts_at": s.starts_at.astimezone(UTC).isoformat(),
                    "ends_at": s.ends_at.astimezone(UTC).isoformat(),
                }
                for s in covered
            ],
            errors=[{"field": "body.force", "reason": "booked sessions fall inside it"}],
        )


class SlotTaken(Conflict):
    type_slug = "slot-taken"

    def __init__(self, resource: str, conflicting_session_id: uuid.UUID | None) -> None:
        super().__init__(
            f"The {resource} already has a session at that time.",
            resource=resource,
            conflicting_session_id=str(conflicting_session_id) if conflicting_session_id else None,
        )


class UnknownTreatment(Unprocessable):
    """A treatment code in a body that names no treatment (in a path, it is a 404)."""

    type_slug = "unknown-treatment"

    def __init__(self, code: str, field: str = "body.treatment_code") -> None:
        super().__init__(
            f"No treatment {code!r} in the catalogue (GET /v1/treatments lists them).",
            errors=[{"field": field, "reason": "no such treatment"}],
        )


class CourseFull(Unprocessable):
    type_slug = "course-full"

    def __init__(self, planned: int) -> None:
        super().__init__(
            f"The course has all of its {planned} sessions booked or done.",
            planned=planned,
            errors=[{"field": "body.course_id", "reason": "no session left to book"}],
        )


class WrongState(Conflict):
    type_slug = "wrong-state"


class UnusableLots(Unprocessable):
    """Lots named at completion that may not go into a patient; `errors` names each line."""

    type_slug = "unusable-lot"

    def __init__(self, errors: list[dict[str, object]]) -> None:
        lines = "; ".join(f"{e['lot_number']} ({e['product_code']}): {e['reason']}" for e in errors)
        super().__init__(
            f"These lots may not be used for this session: {lines}. Nothing was recorded.",
            errors=errors,
        )


class DuplicatePatient(Conflict):
    """A registration matches a patient already there: by email, or by phone and name."""

    type_slug = "duplicate-patient"

    def __init__(self, existing: Patient, *, by_email: bool) -> None:
        field, how = ("body.email", "email") if by_email else ("body.phone", "phone and name")
        super().__init__(
            f"{existing.first_name} {existing.last_name} is registered already with this {how} "
            f"(patient {existing.id}). Open their record, or send allow_duplicate: true to "
            "register a second patient anyway.",
            patient_id=str(existing.id),
            errors=[{"field": field, "reason": f"same {how} as patient {existing.id}"}],
        )


class CourseAlreadyActive(Conflict):
    """The patient has an active course in this treatment area already."""

    type_slug = "course-already-active"

    def __init__(self, course: Course, *, area: str) -> None:
        super().__init__(
            f"The patient has an active course for the {area} already (course {course.id}): "
            "book its missing sessions rather than a second course.",
            course_id=str(course.id),
            area=area,
            errors=[{"field": "body.treatment_code", "reason": f"an active {area} course exists"}],
        )


class BadPrescription(Unprocessable):
    """A prescription the treatment or the course does not allow; `errors` names each field."""

    type_slug = "bad-prescription"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(
            "The prescription does not fit: "
            + "; ".join(f"{e['field']} {e['reason']}" for e in errors)
            + ".",
            errors=errors,
        )


class MaintenanceTooEarly(Unprocessable):
    """A new course of an area starting before the pause after the previous one is over."""

    type_slug = "maintenance-too-early"

    def __init__(
        self, earliest: date, previous_course_id: uuid.UUID, field: str = "body.starts_at"
    ) -> None:
        super().__init__(
            f"The previous course of this area ended too recently: this course may start on "
            f"{earliest.isoformat()} at the earliest, unless a practitioner overrides it "
            "(POST /v1/courses/{id}/overrides, rule maintenance_interval, with a reason).",
            earliest=earliest.isoformat(),
            previous_course_id=str(previous_course_id),
            errors=[{"field": field, "reason": f"before {earliest.isoformat()}"}],
        )


class Contraindicated(Conflict):
    """The course's kit or treatment conflicts with the patient's allergies or conditions."""

    type_slug = "contraindicated"

    def __init__(self, found: list[str], field: str = "body.course_id") -> None:
        super().__init__(
            f"The course conflicts with the patient's record ({', '.join(found)}): change the "
            "prescription, or a practitioner overrides it (POST /v1/courses/{id}/overrides, "
            "rule contraindications, with a reason).",
            conflicts=found,
            errors=[{"field": field, "reason": f"conflicts with {', '.join(found)}"}],
        )


class ErasedPatient(Conflict):
    """The patient was erased: nothing new is booked for them."""

    type_slug = "patient-erased"

    def __init__(self, patient_id: uuid.UUID, field: str = "body.patient_id") -> None:
        super().__init__(
            f"Patient {patient_id} was erased: they get no new course or session. Register "
            "them again if they return.",
            patient_id=str(patient_id),
            errors=[{"field": field, "reason": "the patient was erased"}],
        )


class BreaksNextInterval(Conflict):
    """A move that leaves a session too close to, or newly too far from, one it does not move."""

    def __init__(self, reason: str, next_session: Session, allowed: Window) -> None:
        super().__init__(
            reason,
            next_session_id=str(next_session.id),
            allowed_for_next={
                "earliest": allowed.earliest.isoformat() if allowed.earliest else None,
                "latest": allowed.latest.isoformat() if allowed.latest else None,
            },
        )


class LinkRefused(AppError):
    """A self-service link that is not this clinic's (forged, damaged, or none)."""

    status, title, type_slug = 401, "Unauthorized", "link-invalid"

    def __init__(self) -> None:
        super().__init__("This link is not valid.")


class LinkGone(AppError):
    """A self-service link that was valid and is no more: `reason` is expired or revoked."""

    status, title = 410, "Gone"

    def __init__(self, reason: str, detail: str | None = None) -> None:
        self.type_slug = f"link-{reason}"
        super().__init__(
            detail
            or (
                "This link has expired: the course has no upcoming session."
                if reason == "expired"
                else "This link has been withdrawn."
            ),
            reason=reason,
        )


class OfferGone(Conflict):
    """A waitlist offer whose slot another patient took first."""

    type_slug = "offer-gone"

    def __init__(self) -> None:
        super().__init__(
            "This slot has gone to another patient; you keep your place on the waitlist.",
            keeps_place=True,
        )


class NotWaitlistable(Conflict):
    """A course with nothing left to book joins no waitlist."""

    type_slug = "not-waitlistable"

    def __init__(self, status: str) -> None:
        super().__init__(
            f"The course is {status} with no session left to book: it cannot join the waitlist.",
            errors=[{"field": "body.course_id", "reason": "no session left to book"}],
        )


class TooLateToChange(Conflict):
    """A patient's change too close to the session's start: the clinic must be called."""

    type_slug = "too-late-to-change"

    def __init__(self, starts_at: datetime, notice_hours: float) -> None:
        super().__init__(
            f"This session starts in less than {notice_hours:g} hours: please call the clinic "
            "to change it.",
            starts_at=starts_at.isoformat(),
            notice_hours=notice_hours,
            call_the_clinic=True,
        )


class NotTheirSession(Forbidden):
    type_slug = "not-their-session"

    def __init__(self) -> None:
        super().__init__(
            "A practitioner acts only on their own sessions: this one is another "
            "practitioner's (or your account is linked to no practitioner)."
        )


class NotTheirPatient(Forbidden):
    type_slug = "not-their-patient"

    def __init__(self) -> None:
        super().__init__(
            "A practitioner reads only the patients they treat: this patient has no course or "
            "session with you (or your account is linked to no practitioner)."
        )


class NotRecalled(Conflict):
    type_slug = "lot-not-recalled"

    def __init__(self, product_code: str, lot_number: str) -> None:
        reason = "inventory does not say this lot is recalled"
        super().__init__(
            f"Lot {lot_number!r} of {product_code!r} is not recalled: the patients treated with "
            "a lot are named only for a recall.",
            errors=[{"field": "query.lot_number", "reason": reason}],
        )
