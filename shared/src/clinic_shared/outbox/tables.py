"""The outbox and inbox tables every service keeps in its own database."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from clinic_shared.crypto import Sealed
from clinic_shared.db import UTCDateTime


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "outbox",
        metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("type", sa.String(200), nullable=False),
        # Sealed: a patient event's body carries contact details (stored as text, as before).
        sa.Column("body", Sealed, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        # Events of one commit share created_at; position keeps the order they were emitted in.
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_published_at", "published_at"),
    )


def inbox_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
    )


def create_messaging_tables_v1(op: Any) -> None:
    """The step of every service's first migration that creates the outbox and inbox.

    It builds the tables above, so any change to them must come with a new migration step (and these
    definitions kept as they were for this one).
    """
    metadata = sa.MetaData()
    tables = [outbox_table(metadata), inbox_table(metadata)]
    metadata.create_all(op.get_bind(), tables=tables)


def drop_messaging_tables_v1(op: Any) -> None:
    op.drop_table("inbox")
    op.drop_table("outbox")
