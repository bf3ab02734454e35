"""Station imports run from the back office as jobs: the uploaded file kept a short while (so a clean
dry run can be imported without choosing the file again), the rows checked and written so far (any
server process answers the progress page), and the report when done.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "station_import_job",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=80), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("from_job", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_station_import_job_state")
        ),
        sa.CheckConstraint("done >= 0 AND total >= 0", name=op.f("ck_station_import_job_counts")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_station_import_job_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_import_job")),
    )
    op.create_index(op.f("ix_station_import_job_user_id"), "station_import_job", ["user_id"], unique=False)
    op.create_index(op.f("ix_station_import_job_created_at"), "station_import_job", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_station_import_job_created_at"), table_name="station_import_job")
    op.drop_index(op.f("ix_station_import_job_user_id"), table_name="station_import_job")
    op.drop_table("station_import_job")
