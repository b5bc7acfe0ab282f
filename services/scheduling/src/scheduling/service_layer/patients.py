"""Use cases on patients; the caller's Scope commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from typing import Any

from clinic_shared.contracts.events import PatientErased, PatientRegistered, PatientUpdated
from clinic_shared.errors import Conflict, NotFound
from scheduling.domain.access import narrowed_to
from scheduling.domain.audit import changed_fields
from scheduling.domain.errors import DuplicatePatient
from scheduling.domain.patients import (
    Channel,
    Patient,
    anonymised,
    check_reachable,
    name_key,
    normalise_phone,
    phone_or_none,
)
from scheduling.service_layer import courses
from scheduling.service_layer.access import check_treats
from scheduling.service_layer.scope import Scope

REGISTERED_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "language",
    "preferred_channel",
    "consent_sms",
    "consent_email",
    "duplicate_of",
)
"""What a registration's audit entry names, when given (a consent when given as yes)."""


@dataclass(frozen=True)
class RegisterPatient:
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    language: str
    preferred_channel: Channel
    consent_sms: bool
    consent_email: bool
    patient_id: uuid.UUID | None = None
    allow_duplicate: bool = False


def _contact_event(patient: Patient, event: type[PatientRegistered]) -> PatientRegistered:
    fields = asdict(patient)
    fields["patient_id"] = fields.pop("id")
    fields.pop("created_at")
    fields.pop("erased_at")
    fields.pop("duplicate_of")
    return event(**fields)


async def register_patient(scope: Scope, cmd: RegisterPatient, *, country: str) -> Patient:
    """Register a patient and announce it. A retry (a known id with the same details) returns
    the patient already there; a known id with other details is a 409 naming them."""
    phone = normalise_phone(cmd.phone, country) if cmd.phone else None
    email = cmd.email.strip().lower() if cmd.email else None
    if cmd.patient_id is not None and (existing := await scope.patients.get(cmd.patient_id)):
        _same_registration(existing, cmd, phone=phone, email=email)
        return existing
    check_reachable(
        phone=phone,
        email=email,
        preferred=cmd.preferred_channel,
        sms=cmd.consent_sms,
        mail=cmd.consent_email,
    )
    first_name, last_name = cmd.first_name.strip(), cmd.last_name.strip()
    same = await scope.patients.same_person(
        phone=phone, email=email, first_name=first_name, last_name=last_name
    )
    if same is not None and not cmd.allow_duplicate:
        raise DuplicatePatient(same, by_email=email is not None and same.email == email)
    patient = Patient(
        id=cmd.patient_id or uuid.uuid4(),
        first_name=cmd.first_name.strip(),
        last_name=cmd.last_name.strip(),
        phone=phone,
        email=email,
        language=cmd.language,
        preferred_channel=cmd.preferred_channel,
        consent_sms=cmd.consent_sms,
        consent_email=cmd.consent_email,
        created_at=scope.clinic.now,
        duplicate_of=same.id if same is not None else None,
    )
    await scope.patients.add(patient)
    given = [name for name in REGISTERED_FIELDS if getattr(patient, name) not in (None, False)]
    await scope.record("patient", patient.id, "registered", given)
    scope.uow.emit(_contact_event(patient, PatientRegistered))
    return patient


def _same_registration(
    existing: Patient, cmd: RegisterPatient, *, phone: str | None, email: str | None
) -> None:
    """Refuse a registration that reuses a patient's id for other details. Consent is not
    compared: notifications' ledger may have changed it since the first request."""
    sent = {
        "first_name": cmd.first_name.strip(),
        "last_name": cmd.last_name.strip(),
        "phone": phone,
        "email": email,
        "language": cmd.language,
        "preferred_channel": cmd.preferred_channel,
    }
    differ = [name for name, value in sent.items() if getattr(existing, name) != value]
    if differ:
        raise Conflict(
            f"Patient {existing.id} is registered already, with other details; "
            "change them with PATCH, or register a new patient without this id.",
            patient_id=str(existing.id),
            errors=[
                {"field": f"body.{name}", "reason": "differs from the registered patient"}
                for name in differ
            ],
        )


async def update_patient(
    scope: Scope, patient_id: uuid.UUID, changes: dict[str, Any], *, country: str
) -> Patient:
    """Change the details sent (never consent, which notifications owns); the preferred channel
    must keep its address. A consented channel without one is simply not used."""
    patient = await scope.patients.get(patient_id, lock=True)
    if patient is None:
        raise NotFound(f"No patient {patient_id}.")
    if patient.erased_at is not None:
        raise Conflict(f"Patient {patient_id} was erased; register them again if they return.")
    if changes.get("phone"):
        changes["phone"] = normalise_phone(changes["phone"], country)
    if changes.get("email"):
        changes["email"] = changes["email"].strip().lower()
    updated = replace(patient, **changes)
    check_reachable(
        phone=updated.phone,
        email=updated.email,
        preferred=updated.preferred_channel,
        sms=False,
        mail=False,
    )
    if updated != patient:
        await scope.patients.update(updated)
        await scope.record("patient", patient_id, "updated", changed_fields(patient, updated))
        scope.uow.emit(_contact_event(updated, PatientUpdated))
    return updated


async def get_patient(scope: Scope, patient_id: uuid.UUID) -> Patient:
    """The patient; a practitioner reads only those they treat."""
    patient = await scope.patients.get(patient_id)
    if patient is None:
        raise NotFound(f"No patient {patient_id}.")
    await check_treats(scope, patient_id)
    return patient


async def list_patients(
    scope: Scope,
    *,
    limit: int,
    offset: int,
    query: str | None = None,
    country: str,
    order: str = "name",
    ids: Collection[uuid.UUID] | None = None,
) -> list[Patient]:
    """Patients in `order` (by name unless told), in pages; with `ids`, only those among them.
    `query` finds them as it is
    typed, by a part of their name ignoring accents and case ("chloe" finds Chloé), or exactly
    by their phone number in any format (read as `country` writes it when it has no + code) or
    by their email.

    Names are kept in the clear (staff read them on every page), so a name is matched by its
    `name_key`, stored beside it and indexed by trigrams; phone numbers and emails are sealed,
    so they are matched only whole, by the blind index of their normalised form."""
    text = (query or "").strip()
    treated_by = narrowed_to(scope.actor)  # a practitioner finds only the patients they treat
    if not text:
        return await scope.patients.list(
            limit=limit, offset=offset, treated_by=treated_by, order=order, ids=ids
        )
    return await scope.patients.list(
        limit=limit,
        offset=offset,
        treated_by=treated_by,
        order=order,
        ids=ids,
        name=name_key(text) or None,
        phone=phone_or_none(text, country),
        email=text.lower() if "@" in text else None,
    )


async def erase_patient(scope: Scope, patient_id: uuid.UUID) -> Patient:
    """Anonymise the patient, keep their past sessions, and tell the other services once. Their
    active courses are abandoned and their sessions yet to start cancelled (releasing the vials
    and cancelling the messages, by the usual events); nothing new is booked for them after.

    The erasure is announced before the cancellations, so notifications has forgotten how to
    reach the patient when they arrive: an erased patient gets no cancellation notice."""
    patient = await scope.patients.get(patient_id, lock=True)  # a course opened meanwhile waits
    if patient is None:
        raise NotFound(f"No patient {patient_id}.")
    now = scope.clinic.now
    erased = anonymised(patient, now=now)
    if erased != patient:
        await scope.patients.update(erased)
        await scope.prescriptions.forget_conditions(patient_id)  # health data goes with them
        await scope.record("patient", patient_id, "erased", changed_fields(patient, erased))
        scope.uow.emit(PatientErased(patient_id=patient_id, erased_at=now))
        await courses.stop_courses_of(scope, patient_id, reason="patient erased")
    return erased
