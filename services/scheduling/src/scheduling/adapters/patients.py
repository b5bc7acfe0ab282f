"""SQL for patients, and the records of their sessions a patient's export gives."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Collection
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from clinic_shared.crypto import blind_index
from clinic_shared.outbox import Repository
from scheduling.adapters.orm import PATIENT_NAME_SEARCH, courses, patients, sessions
from scheduling.domain.model import SessionStatus
from scheduling.domain.patients import Patient, PatientName, name_key


def _treated_by(practitioner_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """The patient has a course or a session with the practitioner."""
    return sa.or_(
        sa.exists().where(
            courses.c.patient_id == patients.c.id, courses.c.practitioner_id == practitioner_id
        ),
        sa.exists().where(
            sessions.c.patient_id == patients.c.id, sessions.c.practitioner_id == practitioner_id
        ),
    )


# The orders a patient list is read in; the id last, so that pages never overlap.
PATIENT_ORDERS: dict[str, tuple[sa.ColumnElement[Any], ...]] = {
    "name": (patients.c.last_name, patients.c.first_name, patients.c.id),
    "-name": (patients.c.last_name.desc(), patients.c.first_name.desc(), patients.c.id.desc()),
    "registered": (patients.c.created_at, patients.c.id),
    "-registered": (patients.c.created_at.desc(), patients.c.id.desc()),
}


class PatientRepository(Repository):
    async def add(self, patient: Patient) -> None:
        await self._session.execute(sa.insert(patients).values(**_row(patient)))

    async def get(self, patient_id: uuid.UUID, *, lock: bool = False) -> Patient | None:
        """The patient; with `lock`, their row stays locked until commit (a copy of consent
        arriving meanwhile waits, rather than being overwritten by this read)."""
        statement = sa.select(patients).where(patients.c.id == patient_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).one_or_none()
        return _patient(row) if row else None

    async def copy_consent(
        self, patient_id: uuid.UUID, *, sms: bool, email: bool, revision: int
    ) -> None:
        """Keep notifications' consent of the patient, unless a newer revision is already here
        or the patient was erased."""
        await self._session.execute(
            sa.update(patients)
            .where(
                patients.c.id == patient_id,
                patients.c.consent_revision < revision,
                patients.c.erased_at.is_(None),
            )
            .values(consent_sms=sms, consent_email=email, consent_revision=revision)
        )

    async def update(self, patient: Patient) -> None:
        values = _row(patient)
        values.pop("created_at")
        await self._session.execute(
            sa.update(patients).where(patients.c.id == values.pop("id")).values(**values)
        )

    async def session_records(self, patient_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every column of every session of the patient's courses, earliest first."""
        rows = await self._session.execute(
            sa.select(sessions)
            .join(courses, courses.c.id == sessions.c.course_id)
            .where(courses.c.patient_id == patient_id)
            .order_by(sessions.c.starts_at, sessions.c.id)
        )
        return [dict(r._mapping) for r in rows]

    async def list(
        self,
        *,
        limit: int,
        offset: int,
        name: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        treated_by: uuid.UUID | None = None,
        order: str = "name",
        ids: Collection[uuid.UUID] | None = None,
    ) -> list[Patient]:
        """Patients in `order` (a key of PATIENT_ORDERS); with a search, those whose name key
        contains `name` (a `name_key`), or whose phone or email is exactly `phone` or `email`
        (normalised), found by their blind indexes: sealed contacts cannot be compared any
        other way. With `treated_by`, only the patients that practitioner treats; with `ids`,
        only those among them."""
        select = sa.select(patients)
        if treated_by is not None:
            select = select.where(_treated_by(treated_by))
        if ids is not None:
            select = select.where(patients.c.id.in_(ids))
        found: list[sa.ColumnElement[bool]] = []
        if name:
            escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found.append(PATIENT_NAME_SEARCH.like(f"%{escaped}%", escape="\\"))
        if phone:
            found.append(patients.c.phone_index == blind_index(phone))
        if email:
            found.append(patients.c.email_index == blind_index(email))
        if found:
            select = select.where(sa.or_(*found))
        rows = await self._session.execute(
            select.order_by(*PATIENT_ORDERS[order]).limit(limit).offset(offset)
        )
        return [_patient(r) for r in rows]

    async def treats(self, practitioner_id: uuid.UUID, patient_id: uuid.UUID) -> bool:
        """Whether the practitioner treats the patient: holds one of their courses, or one of
        their sessions (a colleague's course covered)."""
        statement = sa.select(patients.c.id).where(
            patients.c.id == patient_id, _treated_by(practitioner_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def treated_with_lot(self, product_code: str, lot_key: str) -> builtins.list[PatientName]:
        """The patients whose completed sessions used the lot (its number compared by
        `lot_key`: trimmed, lower case), in name order."""
        used = sa.func.json_array_elements(sessions.c.products_used).table_valued("value")
        lot = sa.func.lower(sa.func.trim(used.c.value.op("->>")("lot_number")))
        treated = (
            sa.select(sessions.c.patient_id)
            .select_from(sessions)
            .join(used, sa.true())
            .where(
                sessions.c.status == SessionStatus.COMPLETED.value,
                sessions.c.products_used.is_not(None),
                used.c.value.op("->>")("product_code") == product_code,
                lot == lot_key,
            )
        )
        rows = await self._session.execute(
            sa.select(patients.c.id, patients.c.first_name, patients.c.last_name)
            .where(patients.c.id.in_(treated))
            .order_by(patients.c.last_name, patients.c.first_name, patients.c.id)
        )
        return [PatientName(r.id, r.first_name, r.last_name) for r in rows]

    async def same_person(
        self, *, phone: str | None, email: str | None, first_name: str, last_name: str
    ) -> Patient | None:
        """A patient not erased with this email, or with this phone and this name (ignoring
        case): who a new registration would duplicate. Phone alone is not enough: families
        share phones.

        Takes a transaction-scoped advisory lock on each of the identity's keys first, in a
        fixed order, so two registrations of the same person at once are judged one after the
        other (the second sees the first), and two of different people never wait."""
        keys = sorted(
            key
            for key in (
                email and f"email:{blind_index(email)}",
                phone and f"phone:{blind_index(phone)}:{first_name.lower()}:{last_name.lower()}",
            )
            if key
        )
        for key in keys:
            await self._session.execute(
                sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0)))
            )
        by_email = patients.c.email_index == blind_index(email) if email else sa.false()
        by_phone_and_name = (
            sa.and_(
                patients.c.phone_index == blind_index(phone),
                sa.func.lower(patients.c.first_name) == first_name.lower(),
                sa.func.lower(patients.c.last_name) == last_name.lower(),
            )
            if phone
            else sa.false()
        )
        row = (
            await self._session.execute(
                sa.select(patients)
                .where(patients.c.erased_at.is_(None), sa.or_(by_email, by_phone_and_name))
                .order_by(patients.c.created_at, patients.c.id)
                .limit(1)
            )
        ).one_or_none()
        return _patient(row) if row else None

    async def exists(self, patient_id: uuid.UUID) -> bool:
        found = await self._session.scalar(
            sa.select(sa.literal(1)).where(patients.c.id == patient_id)
        )
        return found is not None


def _row(patient: Patient) -> dict[str, Any]:
    """The patient's columns, with the blind indexes that let staff find them by phone or email."""
    values = asdict(patient)
    values["phone_index"] = blind_index(patient.phone)
    values["email_index"] = blind_index(patient.email)
    values["name_key"] = name_key(patient.first_name, patient.last_name)
    return values


def _patient(row: sa.Row[Any]) -> Patient:
    values = dict(row._mapping)
    del values["phone_index"], values["email_index"], values["consent_revision"]
    del values["name_key"]
    return Patient(**values)
