"""Transactional outbox, its relay, and the inbox that makes consumers idempotent."""

from __future__ import annotations

from clinic_shared.outbox.inbox import InboxConsumer, claim
from clinic_shared.outbox.relay import OutboxRelay
from clinic_shared.outbox.scope import Repository, ScopedHandler, scoped_handlers
from clinic_shared.outbox.tables import inbox_table, outbox_table
from clinic_shared.outbox.uow import UnitOfWork

__all__ = [
    "InboxConsumer",
    "OutboxRelay",
    "Repository",
    "ScopedHandler",
    "UnitOfWork",
    "claim",
    "inbox_table",
    "outbox_table",
    "scoped_handlers",
]
