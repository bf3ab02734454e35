"""Inspections with findings; sanction decisions with remedial measures.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("decision_number", sa.String(length=60), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("team", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=True),
        sa.Column("direct_end_on", sa.Date(), nullable=True),
        sa.Column("extensions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("conclusion_number", sa.String(length=60), nullable=True),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("conclusion_published", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_inspection_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint("case_id", name=op.f("uq_inspection_case_id")),
    )
    op.create_table(
        "inspection_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_finding_inspection_id_inspection"),
            ondelete="CASCADE",
        ),  # noqa: E501
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_finding")),
    )
    op.create_index(op.f("ix_inspection_finding_inspection_id"), "inspection_finding", ["inspection_id"], unique=False)
    op.create_table(
        "sanction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("minutes_number", sa.String(length=60), nullable=True),
        sa.Column("violator_kind", sa.String(length=12), nullable=False),
        sa.Column("violator_name", sa.Text(), nullable=False),
        sa.Column("tax_code", sa.String(length=20), nullable=True),
        sa.Column("point", sa.String(length=10), nullable=True),
        sa.Column("clause", sa.String(length=10), nullable=False),
        sa.Column("article", sa.String(length=10), nullable=False),
        sa.Column("decree", sa.Text(), nullable=False),
        sa.Column("violation", sa.Text(), nullable=False),
        sa.Column("bracket_min_vnd", sa.BigInteger(), nullable=False),
        sa.Column("bracket_max_vnd", sa.BigInteger(), nullable=False),
        sa.Column("fine_vnd", sa.BigInteger(), nullable=False),
        sa.Column("additional_penalties", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("linked_entity", sa.String(length=16), nullable=True),
        sa.Column("linked_code", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "linked_entity IS NULL OR linked_entity IN ('site', 'station', 'press_outlet')",
            name=op.f("ck_sanction_linked"),
        ),  # noqa: E501
        sa.CheckConstraint(
            "status IN ('issued', 'delivered', 'paid', 'enforced', 'complained', 'annulled')",
            name=op.f("ck_sanction_status"),
        ),  # noqa: E501
        sa.CheckConstraint("violator_kind IN ('person', 'organisation')", name=op.f("ck_sanction_violator_kind")),
        sa.CheckConstraint("fine_vnd >= 0", name=op.f("ck_sanction_fine")),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_sanction_case_id_case_file")),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspection.id"], name=op.f("fk_sanction_inspection_id_inspection")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction")),
        sa.UniqueConstraint("number", name=op.f("uq_sanction_number")),
    )
    op.create_index(op.f("ix_sanction_case_id"), "sanction", ["case_id"], unique=False)
    op.create_index(op.f("ix_sanction_inspection_id"), "sanction", ["inspection_id"], unique=False)
    op.create_table(
        "remedial_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sanction_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sanction_id"], ["sanction.id"], name=op.f("fk_remedial_measure_sanction_id_sanction"), ondelete="CASCADE"
        ),  # noqa: E501
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remedial_measure")),
    )
    op.create_index(op.f("ix_remedial_measure_sanction_id"), "remedial_measure", ["sanction_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_remedial_measure_sanction_id"), table_name="remedial_measure")
    op.drop_table("remedial_measure")
    op.drop_index(op.f("ix_sanction_inspection_id"), table_name="sanction")
    op.drop_index(op.f("ix_sanction_case_id"), table_name="sanction")
    op.drop_table("sanction")
    op.drop_index(op.f("ix_inspection_finding_inspection_id"), table_name="inspection_finding")
    op.drop_table("inspection_finding")
    op.drop_table("inspection")
