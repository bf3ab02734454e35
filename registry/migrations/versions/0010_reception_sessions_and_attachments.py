"""Citizen reception sessions (cases may come from one) and case attachments.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reception_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_session")),
    )
    op.create_index(op.f("ix_reception_session_held_on"), "reception_session", ["held_on"], unique=False)
    op.create_table(
        "case_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_attachment_case_id_case_file"), ondelete="CASCADE"
        ),  # noqa: E501
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_case_attachment_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachment")),
    )
    op.create_index(op.f("ix_case_attachment_case_id"), "case_attachment", ["case_id"], unique=False)
    op.add_column("case_file", sa.Column("reception_session_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_case_file_reception_session_id"), "case_file", ["reception_session_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_case_file_reception_session_id_reception_session"),
        "case_file",
        "reception_session",
        ["reception_session_id"],
        ["id"],
    )  # noqa: E501


def downgrade() -> None:
    op.drop_constraint(op.f("fk_case_file_reception_session_id_reception_session"), "case_file", type_="foreignkey")
    op.drop_index(op.f("ix_case_file_reception_session_id"), table_name="case_file")
    op.drop_column("case_file", "reception_session_id")
    op.drop_index(op.f("ix_case_attachment_case_id"), table_name="case_attachment")
    op.drop_table("case_attachment")
    op.drop_index(op.f("ix_reception_session_held_on"), table_name="reception_session")
    op.drop_table("reception_session")
