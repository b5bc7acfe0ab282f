"""SQL for staff alerts: one per kind, subject and day."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.outbox import Repository
from notifications.adapters.orm import staff_alerts
from notifications.adapters.sessions import treated_patients

NAMING_ONE_PATIENT = ("message_failed", "reschedule_requested")
"""Alerts naming one patient: `patient_id` in their details."""
NAMING_PATIENTS = (*NAMING_ONE_PATIENT, "reply_unmatched")
"""Alerts naming patients: a reply from a shared number names its possible senders."""


class AlertRepository(Repository):
    async def raise_once(
        self, *, kind: str, subject: str, day: date, details: dict[str, Any], now: datetime
    ) -> bool:
        """Add the alert unless one of its kind and subject exists that day; True when added."""
        statement = (
            pg_insert(staff_alerts)
            .values(
                id=uuid.uuid4(),
                kind=kind,
                subject=subject,
                day=day,
                details=details,
                status="pending",
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["kind", "subject", "day"])
        )
        result = await self._session.execute(statement)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def find(
        self,
        *,
        filters: dict[str, Any],
        limit: int,
        offset: int,
        kinds: Collection[str] | None = None,
        treated_by: uuid.UUID | None = None,
    ) -> Sequence[sa.Row[Any]]:
        """Alerts matching `filters` (column to value), of one of `kinds` when given. With
        `treated_by`, of those naming patients only those naming one patient the practitioner
        treats: never a reply from a shared number, whose possible senders may be anyone's."""
        conditions = [staff_alerts.c[name] == value for name, value in filters.items()]
        if kinds is not None:
            conditions.append(staff_alerts.c.kind.in_(sorted(kinds)))
        if treated_by is not None:
            conditions.append(_naming_no_patient_but_of(treated_by))
        statement = (
            sa.select(staff_alerts)
            .where(*conditions)
            .order_by(staff_alerts.c.created_at.desc(), staff_alerts.c.id)
            .limit(limit)
            .offset(offset)
        )
        return (await self._session.execute(statement)).all()

    async def about_patient(self, patient_id: uuid.UUID) -> Sequence[sa.Row[Any]]:
        """Alerts whose details name the patient (failed messages, reschedule requests)."""
        named = sa.cast(staff_alerts.c.details, sa.Text).contains(str(patient_id))
        statement = sa.select(staff_alerts).where(named).order_by(staff_alerts.c.created_at)
        return (await self._session.execute(statement)).all()

    async def lock_pending(self, *, limit: int) -> Sequence[sa.Row[Any]]:
        """The oldest pending alerts, locked for this transaction (skipped by other replicas)."""
        statement = (
            sa.select(staff_alerts)
            .where(staff_alerts.c.status == "pending")
            .order_by(staff_alerts.c.created_at, staff_alerts.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self._session.execute(statement)).all()

    async def mark(self, ids: Sequence[uuid.UUID], *, status: str, now: datetime) -> None:
        await self._session.execute(
            sa.update(staff_alerts)
            .where(staff_alerts.c.id.in_(ids))
            .values(status=status, sent_at=now if status == "sent" else None)
        )


def _naming_no_patient_but_of(practitioner_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """The alert names no patient, or names one the practitioner treats."""
    named = staff_alerts.c.details["patient_id"].as_string()  # details->>'patient_id'
    treated = treated_patients(practitioner_id).subquery()
    return sa.or_(
        staff_alerts.c.kind.not_in(NAMING_PATIENTS),
        sa.and_(
            staff_alerts.c.kind.in_(NAMING_ONE_PATIENT),
            named.in_(sa.select(sa.cast(treated.c.patient_id, sa.Text))),
        ),
    )
