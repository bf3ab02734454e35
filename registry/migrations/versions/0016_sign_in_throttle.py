"""Sign-in throttle per client address and account name (and per client over every name), in place
of locking accounts; the names are kept only as keyed hashes.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("name_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("octet_length(name_hash) IN (0, 32)", name=op.f("ck_sign_in_throttle_name_hash")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_sign_in_throttle_attempts")),
        sa.PrimaryKeyConstraint("client", "name_hash", name=op.f("pk_sign_in_throttle")),
    )
    op.create_index(op.f("ix_sign_in_throttle_window_start"), "sign_in_throttle", ["window_start"], unique=False)
    # Accounts are no longer locked: a lock set before this revision would otherwise never be shown
    # as lifted.
    op.execute("UPDATE app_user SET failed_logins = 0, locked_until = NULL")


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_throttle_window_start"), table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
