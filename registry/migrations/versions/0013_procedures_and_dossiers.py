"""Administrative procedures with their internal process, and one-stop-shop dossiers with their events.

The catalogue itself is not seeded: a department's procedures are data it enters (the demo loads
one). Dossiers link to the permit or press licence an approval produced (unique, so both ways).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procedure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("time_value", sa.Integer(), nullable=False),
        sa.Column("time_unit", sa.String(length=16), nullable=False),
        sa.Column("fees", sa.Text(), nullable=True),
        sa.Column("fee_vnd", sa.Integer(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("online_level", sa.Integer(), nullable=False),
        sa.Column("online_service", sa.String(length=12), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "field IN ('telecom', 'radio_frequency', 'press', 'publishing', 'it', 'post')",
            name=op.f("ck_procedure_field"),
        ),
        sa.CheckConstraint(
            "online_service IN ('none', 'partial', 'end_to_end')", name=op.f("ck_procedure_online_service")
        ),
        sa.CheckConstraint(
            "time_unit IN ('working_days', 'calendar_days', 'hours')", name=op.f("ck_procedure_time_unit")
        ),
        sa.CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name=op.f("ck_procedure_dates")),
        sa.CheckConstraint("fee_vnd IS NULL OR fee_vnd >= 0", name=op.f("ck_procedure_fee_vnd")),
        sa.CheckConstraint("online_level BETWEEN 1 AND 4", name=op.f("ck_procedure_online_level")),
        sa.CheckConstraint("time_value > 0", name=op.f("ck_procedure_time_value")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure")),
        sa.UniqueConstraint("code", name=op.f("uq_procedure_code")),
    )
    op.create_index(op.f("ix_procedure_field"), "procedure", ["field"], unique=False)
    op.create_table(
        "procedure_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("step_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("duration", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.CheckConstraint("duration > 0", name=op.f("ck_procedure_step_duration")),
        sa.CheckConstraint("step_no >= 1", name=op.f("ck_procedure_step_step_no")),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedure.id"],
            name=op.f("fk_procedure_step_procedure_id_procedure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_step")),
        sa.UniqueConstraint("procedure_id", "step_no", name=op.f("uq_procedure_step_procedure_id_step_no")),
    )
    op.create_index(op.f("ix_procedure_step_procedure_id"), "procedure_step", ["procedure_id"], unique=False)
    op.create_table(
        "dossier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_code", sa.String(length=40), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("applicant_kind", sa.String(length=12), nullable=False),
        sa.Column("applicant_name", sa.Text(), nullable=False),
        sa.Column("applicant_id_number", sa.String(length=20), nullable=True),
        sa.Column("applicant_address", sa.Text(), nullable=True),
        sa.Column("applicant_phone", sa.String(length=40), nullable=True),
        sa.Column("applicant_email", sa.String(length=254), nullable=True),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("counted_from", sa.Date(), nullable=False),
        sa.Column("first_due_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("pre_apology_due_date", sa.Date(), nullable=True),
        sa.Column("apology_on", sa.Date(), nullable=True),
        sa.Column("apology_reason", sa.Text(), nullable=True),
        sa.Column("supplement_since", sa.Date(), nullable=True),
        sa.Column("paused_working_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("step_no", sa.Integer(), nullable=True),
        sa.Column("result", sa.String(length=10), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("sent_back_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("permit_id", sa.Integer(), nullable=True),
        sa.Column("press_licence_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), server_default="desk", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "(permit_id IS NULL AND press_licence_id IS NULL) OR result = 'approved'",
            name=op.f("ck_dossier_record_result"),
        ),
        sa.CheckConstraint("applicant_kind IN ('person', 'organisation')", name=op.f("ck_dossier_applicant_kind")),
        sa.CheckConstraint("channel IN ('online', 'in_person', 'post')", name=op.f("ck_dossier_channel")),
        sa.CheckConstraint("result IN ('approved', 'refused') OR result IS NULL", name=op.f("ck_dossier_result")),
        sa.CheckConstraint(
            "status IN ('received', 'transferred', 'in_progress', 'awaiting_supplement', 'result_ready', "
            "'refused', 'returned', 'sent_back', 'withdrawn')",
            name=op.f("ck_dossier_status"),
        ),
        sa.CheckConstraint("(result IS NULL) = (resolved_on IS NULL)", name=op.f("ck_dossier_result_date")),
        sa.CheckConstraint("due_date >= counted_from", name=op.f("ck_dossier_due_after_start")),
        sa.CheckConstraint("num_nonnulls(permit_id, press_licence_id) <= 1", name=op.f("ck_dossier_one_record")),
        sa.CheckConstraint(
            "num_nonnulls(resolved_on, sent_back_on, withdrawn_on) <= 1", name=op.f("ck_dossier_one_closing")
        ),
        sa.ForeignKeyConstraint(
            ["permit_id"], ["permit.id"], name=op.f("fk_dossier_permit_id_permit"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["press_licence_id"],
            ["press_licence.id"],
            name=op.f("fk_dossier_press_licence_id_press_licence"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedure.id"], name=op.f("fk_dossier_procedure_id_procedure")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier")),
        sa.UniqueConstraint("permit_id", name=op.f("uq_dossier_permit_id")),
        sa.UniqueConstraint("press_licence_id", name=op.f("uq_dossier_press_licence_id")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_dossier_receipt_code")),
    )
    op.create_index(op.f("ix_dossier_procedure_id"), "dossier", ["procedure_id"], unique=False)
    op.create_index("ix_dossier_received_on", "dossier", ["received_on"], unique=False)
    op.create_index(op.f("ix_dossier_status"), "dossier", ["status"], unique=False)
    op.create_table(
        "dossier_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("step_no", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_dossier_event_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_event")),
    )
    op.create_index(op.f("ix_dossier_event_dossier_id"), "dossier_event", ["dossier_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_dossier_event_dossier_id"), table_name="dossier_event")
    op.drop_table("dossier_event")
    op.drop_index(op.f("ix_dossier_status"), table_name="dossier")
    op.drop_index("ix_dossier_received_on", table_name="dossier")
    op.drop_index(op.f("ix_dossier_procedure_id"), table_name="dossier")
    op.drop_table("dossier")
    op.drop_index(op.f("ix_procedure_step_procedure_id"), table_name="procedure_step")
    op.drop_table("procedure_step")
    op.drop_index(op.f("ix_procedure_field"), table_name="procedure")
    op.drop_table("procedure")
