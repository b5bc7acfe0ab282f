"""SQL for the audit trail."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from scheduling.adapters.orm import audit_entries
from scheduling.domain.audit import AuditEntry, Kind


class AuditRepository(Repository):
    async def add(self, kind: Kind, record_ids: list[uuid.UUID], entry: AuditEntry) -> None:
        """The same entry on each record (one statement for the ten sessions of a plan)."""
        if record_ids:
            values = {
                "kind": kind,
                "at": entry.at,
                "by": entry.by,
                "role": entry.role,
                "action": entry.action,
                "fields": list(entry.fields),
            }
            await self._session.execute(
                sa.insert(audit_entries), [values | {"record_id": r} for r in record_ids]
            )

    async def trail(self, kind: Kind, record_id: uuid.UUID) -> list[AuditEntry]:
        """The record's entries, oldest first."""
        rows = await self._session.execute(
            sa.select(audit_entries)
            .where(audit_entries.c.kind == kind, audit_entries.c.record_id == record_id)
            .order_by(audit_entries.c.id)
        )
        return [
            AuditEntry(at=r.at, by=r.by, role=r.role, action=r.action, fields=tuple(r.fields))
            for r in rows
        ]
