"""The treatment catalogue every clinic starts with (admins edit it afterwards).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CATALOGUE = [
    # code, name, area, minutes, sessions, min days, max days, maintenance days
    ("cellulite-thighs", "Cellulite mesotherapy: thighs", "thighs", 30, 10, 7, 15, 30),
    ("cellulite-buttocks", "Cellulite mesotherapy: buttocks", "buttocks", 25, 10, 7, 15, 30),
    ("cellulite-abdomen", "Cellulite mesotherapy: abdomen", "abdomen", 25, 8, 7, 15, 30),
    ("cellulite-calves", "Cellulite mesotherapy: calves", "calves", 20, 8, 7, 15, 30),
    ("cellulite-arms", "Cellulite mesotherapy: inner arms", "inner_arms", 15, 8, 7, 15, 30),
    (
        "cellulite-thighs-intensive",
        "Cellulite mesotherapy: thighs, intensive protocol",
        "thighs",
        30,
        12,
        7,
        10,
        30,
    ),
]
COLUMNS = (
    "code",
    "name",
    "area",
    "session_minutes",
    "default_sessions",
    "min_interval_days",
    "max_interval_days",
    "maintenance_interval_days",
)


def upgrade() -> None:
    table = sa.table("treatments", *(sa.column(c) for c in COLUMNS))
    op.bulk_insert(table, [dict(zip(COLUMNS, row, strict=True)) for row in CATALOGUE])


def downgrade() -> None:
    table = sa.table("treatments", sa.column("code"))
    op.execute(table.delete().where(table.c.code.in_([row[0] for row in CATALOGUE])))
