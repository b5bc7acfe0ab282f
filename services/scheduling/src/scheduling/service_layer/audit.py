"""Reading the audit trail of a patient, a course or a session."""

from __future__ import annotations

import uuid

from scheduling.domain.audit import AuditEntry, Kind
from scheduling.service_layer.scope import Scope


async def trail(scope: Scope, kind: Kind, record_id: uuid.UUID) -> list[AuditEntry]:
    """Every recorded change to the record, oldest first."""
    return await scope.audit.trail(kind, record_id)
