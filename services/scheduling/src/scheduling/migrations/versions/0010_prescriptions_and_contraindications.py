"""Issue 19 items 5, 7 and 8: a prescription per course (interval, kit adjustments, who set
it, and its history), practitioners' overrides of a rule for one course, a patient's allergies
and contraindications, and what each treatment's kit contains and is contraindicated by.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# What the catalogue's kits contain (inventory's kits of migration 0002) and what rules a
# treatment out; admins edit both afterwards. Mesotherapy is not given in pregnancy or while
# breastfeeding.
STANDARD_CONTRAINDICATIONS = ["pregnancy", "breastfeeding"]
CONTAINS = {
    "cellulite-thighs": ["caffeine", "l-carnitine", "artichoke", "vitamin-blend", "lidocaine"],
    "cellulite-thighs-intensive": [
        "caffeine",
        "l-carnitine",
        "artichoke",
        "vitamin-blend",
        "lidocaine",
    ],
    "cellulite-buttocks": ["caffeine", "l-carnitine", "artichoke", "vitamin-blend", "lidocaine"],
    "cellulite-abdomen": ["caffeine", "l-carnitine", "artichoke", "vitamin-blend"],
    "cellulite-calves": ["caffeine", "l-carnitine", "vitamin-blend"],
    "cellulite-arms": ["caffeine", "vitamin-blend"],
}
EMPTY_LIST = sa.text("'[]'")


def upgrade() -> None:
    op.add_column(
        "treatments", sa.Column("contains", sa.JSON, nullable=False, server_default=EMPTY_LIST)
    )
    op.add_column(
        "treatments",
        sa.Column("contraindications", sa.JSON, nullable=False, server_default=EMPTY_LIST),
    )
    treatments = sa.table(
        "treatments",
        sa.column("code"),
        sa.column("contains", sa.JSON),
        sa.column("contraindications", sa.JSON),
    )
    for code, contains in CONTAINS.items():
        op.execute(
            treatments.update()
            .where(treatments.c.code == code)
            .values(contains=contains, contraindications=STANDARD_CONTRAINDICATIONS)
        )
    op.add_column("courses", sa.Column("min_interval_days", sa.Integer, nullable=True))
    op.add_column("courses", sa.Column("max_interval_days", sa.Integer, nullable=True))
    op.add_column(
        "courses",
        sa.Column("kit_adjustments", sa.JSON, nullable=False, server_default=sa.text("'{}'")),
    )
    op.add_column(
        "courses",
        sa.Column("prescription_revision", sa.Integer, nullable=False, server_default="1"),
    )
    op.add_column("courses", sa.Column("prescribed_by", sa.String(100), nullable=True))
    op.add_column("courses", sa.Column("prescribed_at", UTCDateTime, nullable=True))
    op.create_table(
        "prescriptions",
        sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("sessions_planned", sa.Integer, nullable=False),
        sa.Column("min_interval_days", sa.Integer, nullable=False),
        sa.Column("max_interval_days", sa.Integer, nullable=False),
        sa.Column("kit_adjustments", sa.JSON, nullable=False),
        sa.Column("prescribed_by", sa.String(100), nullable=False),
        sa.Column("prescribed_at", UTCDateTime, nullable=False),
    )
    # every course opened before has its first revision: as opened, by whom not recorded
    op.execute(
        sa.text(
            "INSERT INTO prescriptions (course_id, revision, sessions_planned, min_interval_days, "
            "max_interval_days, kit_adjustments, prescribed_by, prescribed_at) "
            "SELECT c.id, 1, c.sessions_planned, t.min_interval_days, t.max_interval_days, "
            "'{}', 'unrecorded', c.created_at "
            "FROM courses c JOIN treatments t ON t.code = c.treatment_code"
        )
    )
    op.create_table(
        "course_overrides",
        sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), primary_key=True),
        sa.Column("rule", sa.String(30), primary_key=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("overridden_by", sa.String(100), nullable=False),
        sa.Column("overridden_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "patient_conditions",
        sa.Column("patient_id", sa.Uuid, sa.ForeignKey("patients.id"), primary_key=True),
        sa.Column("allergies", sa.JSON, nullable=False),
        sa.Column("contraindications", sa.JSON, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("patient_conditions")
    op.drop_table("course_overrides")
    op.drop_table("prescriptions")
    for column in (
        "prescribed_at",
        "prescribed_by",
        "prescription_revision",
        "kit_adjustments",
        "max_interval_days",
        "min_interval_days",
    ):
        op.drop_column("courses", column)
    op.drop_column("treatments", "contraindications")
    op.drop_column("treatments", "contains")
