"""The working-day calendar, seeded 2015–2035 from the `holidays` package (checked against the
Vietnamese lunar calendar of `lunar-vn`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.calendar.seed import seed_rows

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("legal_basis", sa.Text()),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("kind IN ('off', 'working')", name=op.f("ck_calendar_day_kind")),
        sa.CheckConstraint("source IN ('holidays', 'admin')", name=op.f("ck_calendar_day_source")),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    op.bulk_insert(table, seed_rows())


def downgrade() -> None:
    op.drop_table("calendar_day")
