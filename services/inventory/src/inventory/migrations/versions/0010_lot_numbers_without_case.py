"""Lot numbers are trimmed and compared without case: "b-2403 " and "B-2403" are one lot.

Each lot and consumption gets a `lot_key` (the number trimmed and case-folded, as
`inventory.domain.lots.lot_key` computes it); a product's lots are unique by key. The number
shown stays as first received, trimmed.

Lots of one product whose numbers fold to one key were one lot received under two spellings,
so they are merged into the first received: counts added up, receipts, adjustments,
reservations, consumptions and alerts moved to it. The merged lot takes the strictest status
(recalled, then quarantined, then expired) and the earliest expiry: a lot recalled under one
spelling stays recalled under all of them. A booked session's reservation the merged lot can no
longer serve (recalled, or expiring by the session's day) is released and the session left
short of those vials, with an open shortage alert; the next stock change of the product
(a delivery, a count, vials freed) serves it, earliest session first. No event is published
from here: scheduling learns of the shortage at the session's next stock change. Merges are
logged and not undone by a downgrade.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
STRICTEST_FIRST = ("recalled", "quarantined", "expired", "available")
LOT_REFERENCES = ("receipts", "adjustments", "reservations", "consumptions", "alerts")


def _key(number: str) -> str:
    """As `inventory.domain.lots.lot_key` on the day of this revision."""
    return number.strip().casefold()


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("lots", sa.Column("lot_key", sa.Text, nullable=True))
    op.add_column("consumptions", sa.Column("lot_key", sa.Text, nullable=True))
    op.drop_constraint("uq_lots_product_lot_number", "lots", type_="unique")
    for twins in _twins(bind):
        _merge(bind, twins)
    for name in ("lots", "consumptions"):
        table = sa.table(name, sa.column("lot_number"), sa.column("lot_key"))
        numbers = bind.execute(sa.select(table.c.lot_number).distinct()).scalars()
        for number in list(numbers):
            bind.execute(
                sa.update(table)
                .where(table.c.lot_number == number)
                .values(lot_number=number.strip(), lot_key=_key(number))
            )
        op.alter_column(name, "lot_key", nullable=False)
    op.create_unique_constraint("uq_lots_product_lot_key", "lots", ["product_code", "lot_key"])
    op.drop_index("ix_consumptions_lot_number", "consumptions")
    op.create_index("ix_consumptions_lot_key", "consumptions", ["lot_key"])


def _twins(bind: Connection) -> list[list[Any]]:
    """Lots of one product whose numbers fold to one key, first received first."""
    rows = bind.execute(
        sa.text(
            "SELECT id, product_code, lot_number, expires_on, quantity, reserved, consumed, "
            "status FROM lots ORDER BY received_at, id"
        )
    ).all()
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        groups[(row.product_code, _key(row.lot_number))].append(row)
    return [group for group in groups.values() if len(group) > 1]


def _merge(bind: Connection, twins: list[Any]) -> None:
    kept, others = twins[0], [t.id for t in twins[1:]]
    status = min((t.status for t in twins), key=STRICTEST_FIRST.index)
    expires_on = min(t.expires_on for t in twins)
    for name in LOT_REFERENCES:
        table = sa.table(name, sa.column("lot_id", sa.Uuid))
        bind.execute(sa.update(table).where(table.c.lot_id.in_(others)).values(lot_id=kept.id))
    bind.execute(
        sa.text("DELETE FROM lots WHERE id IN :others").bindparams(
            sa.bindparam("others", expanding=True)
        ),
        {"others": others},
    )
    bind.execute(
        sa.text(
            "UPDATE lots SET quantity = :quantity, reserved = :reserved, consumed = :consumed, "
            "status = :status, expires_on = :expires_on WHERE id = :kept"
        ),
        {
            "kept": kept.id,
            "quantity": sum(t.quantity for t in twins),
            "reserved": sum(t.reserved for t in twins),
            "consumed": sum(t.consumed for t in twins),
            "status": status,
            "expires_on": expires_on,
        },
    )
    released = _release_unservable(bind, kept.id, usable=status == "available")
    log.warning(
        "lots %s of %s merged into %s (%s, expiring %s); %d reservations released",
        [str(t.lot_number) for t in twins],
        kept.product_code,
        kept.id,
        status,
        expires_on,
        released,
    )


def _release_unservable(bind: Connection, lot_id: Any, *, usable: bool) -> int:
    """Release the booked sessions' reservations of the lot it cannot serve; how many."""
    rows = bind.execute(
        sa.text(
            "SELECT r.id, r.session_id, r.product_code, r.quantity, s.session_on "
            "FROM reservations r JOIN sessions s ON s.session_id = r.session_id "
            "JOIN lots l ON l.id = r.lot_id "
            "WHERE r.lot_id = :lot AND r.status = 'reserved' "
            "AND (NOT :usable OR l.expires_on <= s.session_on)"
        ),
        {"lot": lot_id, "usable": usable},
    ).all()
    now = datetime.now(UTC)
    for row in rows:
        bind.execute(
            sa.text("UPDATE reservations SET status = 'released' WHERE id = :id"), {"id": row.id}
        )
        bind.execute(
            sa.text("UPDATE lots SET reserved = reserved - :quantity WHERE id = :lot"),
            {"quantity": row.quantity, "lot": lot_id},
        )
        short = bind.execute(
            sa.text(
                "INSERT INTO shortages (session_id, product_code, quantity) "
                "VALUES (:session, :product, :quantity) ON CONFLICT (session_id, product_code) "
                "DO UPDATE SET quantity = shortages.quantity + excluded.quantity "
                "RETURNING quantity"
            ),
            {"session": row.session_id, "product": row.product_code, "quantity": row.quantity},
        ).scalar_one()
        bind.execute(
            sa.text(
                "INSERT INTO alerts (id, kind, dedupe_key, status, product_code, session_id, "
                "message, created_at, updated_at) VALUES (gen_random_uuid(), 'shortage', :key, "
                "'open', :product, :session, :message, :now, :now) ON CONFLICT (dedupe_key) DO "
                "UPDATE SET status = 'open', message = excluded.message, updated_at = :now"
            ),
            {
                "key": f"shortage:{row.session_id}:{row.product_code}",
                "product": row.product_code,
                "session": row.session_id,
                "message": f"Session on {row.session_on.isoformat()} lacks {short} "
                f"{row.product_code}.",
                "now": now,
            },
        )
    return len(rows)


def downgrade() -> None:
    op.drop_index("ix_consumptions_lot_key", "consumptions")
    op.create_index("ix_consumptions_lot_number", "consumptions", ["lot_number"])
    op.drop_constraint("uq_lots_product_lot_key", "lots", type_="unique")
    op.create_unique_constraint(
        "uq_lots_product_lot_number", "lots", ["product_code", "lot_number"]
    )
    op.drop_column("consumptions", "lot_key")
    op.drop_column("lots", "lot_key")
