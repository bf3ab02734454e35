"""Seed the mobile network operators and infrastructure companies active in Vietnam.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORGANISATIONS = [
    (
        "VIETTEL",
        "Tập đoàn Công nghiệp - Viễn thông Quân đội",
        "Viettel",
        True,
        "0100109106",
        ["Viettel", "Tập đoàn Viettel", "Viettel Hải Phòng", "VTL"],
    ),
    (
        "VNPT",
        "Tập đoàn Bưu chính Viễn thông Việt Nam",
        "VNPT",
        True,
        "0100684378",
        ["VinaPhone", "Vinaphone", "VNPT VinaPhone", "VNPT Hải Phòng", "VNP"],
    ),
    (
        "MOBIFONE",
        "Tổng công ty Viễn thông MobiFone",
        "MobiFone",
        True,
        "0100686209",
        ["Mobifone", "MBF", "MobiFone Hải Phòng"],
    ),
    (
        "VIETNAMOBILE",
        "Công ty Cổ phần Viễn thông Di động Vietnamobile",
        "Vietnamobile",
        True,
        None,
        ["VNM", "Vietnam Mobile"],
    ),
    ("GTEL", "Tổng công ty Viễn thông Toàn Cầu", "Gtel", True, None, ["Gtel Mobile", "Gmobile", "Wintel"]),
]


def upgrade() -> None:
    insert = sa.text(
        "INSERT INTO organisation (code, name, short_name, is_operator, tax_code, aliases) "
        "VALUES (:code, :name, :short, :op, :tax, :aliases) ON CONFLICT (code) DO NOTHING"
    )
    for code, name, short, is_operator, tax, aliases in ORGANISATIONS:
        op.get_bind().execute(
            insert, {"code": code, "name": name, "short": short, "op": is_operator, "tax": tax, "aliases": aliases}
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM organisation WHERE code IN ('VIETTEL', 'VNPT', 'MOBIFONE', 'VIETNAMOBILE', 'GTEL') "
        "AND NOT EXISTS (SELECT 1 FROM station WHERE station.operator_id = organisation.id)"
    )
