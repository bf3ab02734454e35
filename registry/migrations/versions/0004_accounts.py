"""Accounts and login tokens; the audit trail indexed by actor and by parent record.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("admin", "licensing_officer", "inspector", "press_manager", "one_stop_officer", "viewer")
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,62}$"


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("full_name", sa.Text()),
        sa.Column("email", sa.String(254)),
        sa.Column("unit", sa.Text()),
        sa.Column("roles", ARRAY(sa.String(24)), nullable=False, server_default="{}"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default="true"),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.UniqueConstraint("username", name="uq_app_user_username"),
        sa.CheckConstraint(f"username ~ '{USERNAME_PATTERN}'", name="ck_app_user_username"),
        sa.CheckConstraint(
            "roles <@ ARRAY[" + ",".join(f"'{r}'" for r in ROLES) + "]::varchar[]", name="ck_app_user_roles"
        ),
    )
    op.create_table(
        "auth_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("token_hash", name="uq_auth_token_token_hash"),
    )
    op.create_index("ix_auth_token_user_id", "auth_token", ["user_id"])
    # The trail is read by entity, by actor, and by parent record (a site's history holds its stations').
    op.create_index("ix_audit_event_actor", "audit_event", ["actor", "occurred_at"])
    op.add_column("audit_event", sa.Column("parents", ARRAY(sa.String(80)), nullable=False, server_default="{}"))
    op.create_index("ix_audit_event_parents", "audit_event", ["parents"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_audit_event_parents", table_name="audit_event")
    op.drop_column("audit_event", "parents")
    op.drop_index("ix_audit_event_actor", table_name="audit_event")
    op.drop_table("auth_token")
    op.drop_table("app_user")
