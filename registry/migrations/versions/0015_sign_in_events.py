"""Sign-ins in the audit trail: actions sign_in and sign_in_refused (and the constraint's name
without the doubled prefix of migration 0003).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE audit_event DROP CONSTRAINT ck_audit_event_ck_audit_event_action")
    op.alter_column("audit_event", "action", type_=sa.String(length=20), existing_type=sa.String(length=10))
    op.create_check_constraint(
        op.f("ck_audit_event_action"),
        "audit_event",
        "action IN ('create', 'update', 'delete', 'sign_in', 'sign_in_refused')",
    )


def downgrade() -> None:
    op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    op.execute("DELETE FROM audit_event WHERE action IN ('sign_in', 'sign_in_refused')")
    op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
    op.drop_constraint(op.f("ck_audit_event_action"), "audit_event")
    op.alter_column("audit_event", "action", type_=sa.String(length=10), existing_type=sa.String(length=20))
    op.create_check_constraint(
        "ck_audit_event_ck_audit_event_action", "audit_event", "action IN ('create', 'update', 'delete')"
    )
