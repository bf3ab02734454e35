"""The documents a procedure requires (thành phần hồ sơ, from the national catalogue) and the documents
the one-stop desk received with each dossier (printed on the receipt).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-12
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # [{"name", "form", "copies", "required"}]: form is "Bản chính", "Bản sao có chứng thực", "Bản sao"…
    op.add_column(
        "procedure",
        sa.Column("required_documents", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    # [{"name", "form", "copies"}]: none for dossiers imported from legacy systems.
    op.add_column(
        "dossier",
        sa.Column("documents_received", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
    )


def downgrade() -> None:
    op.drop_column("dossier", "documents_received")
    op.drop_column("procedure", "required_documents")
