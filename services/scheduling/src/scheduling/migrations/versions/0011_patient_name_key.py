"""Patients are found by name ignoring accents and case: the key their name is searched by.

`name_key` is the name as `scheduling.domain.patients.name_key` writes it (accents, ligatures and
case dropped: "Chloé Martin" is `chloe martin`), written by every registration and edit, and
filled in here for the patients already there. It stays nullable, so that the previous release's
replicas, which do not write it, keep inserting while the upgrade rolls; the search reads the
lower-cased name where it is null, and a trigram index on that expression serves "contains"
searches as they are typed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})


def _name_key(first_name: str, last_name: str) -> str:
    """`scheduling.domain.patients.name_key` as of this revision (a migration does not change)."""
    decomposed = unicodedata.normalize("NFKD", f"{first_name} {last_name}")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().translate(_LIGATURES).split())


def upgrade() -> None:
    op.add_column("patients", sa.Column("name_key", sa.String(400), nullable=True))
    patients = sa.table(
        "patients",
        sa.column("id", sa.Uuid),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
        sa.column("name_key", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(patients.c.id, patients.c.first_name, patients.c.last_name))
    for patient_id, first_name, last_name in rows.all():
        conn.execute(
            sa.update(patients)
            .where(patients.c.id == patient_id)
            .values(name_key=_name_key(first_name, last_name))
        )
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_patients_name_search ON patients USING gin "
        "((coalesce(name_key, lower(first_name || ' ' || last_name))) gin_trgm_ops)"
    )


def downgrade() -> None:
    op.drop_index("ix_patients_name_search", table_name="patients")
    op.drop_column("patients", "name_key")
