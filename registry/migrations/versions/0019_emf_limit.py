"""The public exposure limit for radio-frequency fields as a legal constant: the power density the
safety distance of a sector is computed from (registry/stations/emf.py).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = "emf.public_power_density"
# Like the seeds of 0014, the first value applies to every record the registry may hold (from 1990):
# earlier standards are not modelled, and a distance shown for an old day is an estimate, not a ruling.
SINCE = date(1990, 1, 1)
ROW = {
    "code": CODE,
    "kind": "decimal",
    "value": "2",
    "description": "Giới hạn mật độ công suất phơi nhiễm trường điện từ cho công chúng, dải tần 10 MHz – 6 GHz; "
    "dùng để tính khoảng cách an toàn quanh ăng ten trạm gốc",
    "legal_basis": "QCVN 8:2022/BTTTT (Quy chuẩn kỹ thuật quốc gia về giới hạn phơi nhiễm trường điện từ)",
    "certainty": "firm",
    "effective_from": SINCE,
    "effective_to": None,
}


def upgrade() -> None:
    rule_value = sa.table(
        "rule_value",
        sa.column("code", sa.String),
        sa.column("kind", sa.String),
        sa.column("value", sa.String),
        sa.column("description", sa.Text),
        sa.column("legal_basis", sa.Text),
        sa.column("certainty", sa.String),
        sa.column("effective_from", sa.Date),
        sa.column("effective_to", sa.Date),
    )
    op.bulk_insert(rule_value, [ROW])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM rule_value WHERE code = :code").bindparams(code=CODE))
