"""Legal deadlines of cases as data, seeded from DOMAIN.md §3.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("complaint", "second_complaint", "denunciation", "petition", "planned_inspection", "adhoc_inspection")
STEPS = ("acceptance", "initial_handling", "transfer", "resolution", "extension")
COMPLAINTS = "Luật Khiếu nại 2011"
DENUNCIATIONS = "Luật Tố cáo 2018"
START = date(2012, 7, 1)
CHANGE = date(2026, 7, 1)


def _rule(code: str, kind: str, step: str, duration: int, unit: str, starts_from: str, description: str, basis: str,
          *, certainty: str = "firm", complex_: bool | None = None, especially: bool | None = None,
          remote: bool | None = None, extension_no: int | None = None, effective_from: date = START,
          effective_to: date | None = None) -> dict:  # fmt: skip
    return {
        "code": code, "case_kind": kind, "step": step, "duration": duration, "unit": unit,
        "starts_from": starts_from, "complex": complex_, "especially_complex": especially, "remote": remote,
        "extension_no": extension_no, "description": description, "legal_basis": basis,
        "certainty": certainty, "effective_from": effective_from, "effective_to": effective_to,
    }  # fmt: skip


RULES = [
    _rule(
        "KN-THULY",
        "complaint",
        "acceptance",
        10,
        "calendar_days",
        "received",
        "Thụ lý khiếu nại trong 10 ngày kể từ ngày nhận",
        f"{COMPLAINTS}, Điều 27",
        effective_to=CHANGE,
    ),
    _rule(
        "KN-THULY-2026",
        "complaint",
        "acceptance",
        7,
        "working_days",
        "received",
        "Thụ lý khiếu nại trong 7 ngày làm việc kể từ ngày nhận (từ 1/7/2026)",
        f"{COMPLAINTS} sửa đổi (hiệu lực 1/7/2026)",
        certainty="check",
        effective_from=CHANGE,
    ),
    _rule(
        "KN1",
        "complaint",
        "resolution",
        30,
        "calendar_days",
        "accepted",
        "Giải quyết khiếu nại lần đầu: 30 ngày kể từ ngày thụ lý",
        f"{COMPLAINTS}, Điều 28",
        complex_=False,
        remote=False,
    ),
    _rule(
        "KN1-PT",
        "complaint",
        "resolution",
        45,
        "calendar_days",
        "accepted",
        "Khiếu nại lần đầu phức tạp: 45 ngày",
        f"{COMPLAINTS}, Điều 28",
        complex_=True,
        remote=False,
    ),
    _rule(
        "KN1-VX",
        "complaint",
        "resolution",
        45,
        "calendar_days",
        "accepted",
        "Khiếu nại lần đầu ở vùng sâu, vùng xa: 45 ngày",
        f"{COMPLAINTS}, Điều 28",
        complex_=False,
        remote=True,
    ),
    _rule(
        "KN1-VX-PT",
        "complaint",
        "resolution",
        60,
        "calendar_days",
        "accepted",
        "Khiếu nại lần đầu ở vùng sâu, vùng xa, phức tạp: 60 ngày",
        f"{COMPLAINTS}, Điều 28",
        complex_=True,
        remote=True,
    ),
    _rule(
        "KN2-THULY",
        "second_complaint",
        "acceptance",
        10,
        "calendar_days",
        "received",
        "Thụ lý khiếu nại lần hai trong 10 ngày",
        f"{COMPLAINTS}, Điều 36",
    ),
    _rule(
        "KN2",
        "second_complaint",
        "resolution",
        45,
        "calendar_days",
        "accepted",
        "Giải quyết khiếu nại lần hai: 45 ngày kể từ ngày thụ lý",
        f"{COMPLAINTS}, Điều 37",
        complex_=False,
        remote=False,
    ),
    _rule(
        "KN2-PT",
        "second_complaint",
        "resolution",
        60,
        "calendar_days",
        "accepted",
        "Khiếu nại lần hai phức tạp: 60 ngày",
        f"{COMPLAINTS}, Điều 37",
        complex_=True,
        remote=False,
    ),
    _rule(
        "KN2-VX",
        "second_complaint",
        "resolution",
        60,
        "calendar_days",
        "accepted",
        "Khiếu nại lần hai ở vùng sâu, vùng xa: 60 ngày",
        f"{COMPLAINTS}, Điều 37",
        complex_=False,
        remote=True,
    ),
    _rule(
        "KN2-VX-PT",
        "second_complaint",
        "resolution",
        70,
        "calendar_days",
        "accepted",
        "Khiếu nại lần hai ở vùng sâu, vùng xa, phức tạp: 70 ngày",
        f"{COMPLAINTS}, Điều 37",
        complex_=True,
        remote=True,
    ),
    _rule(
        "TC-XULY",
        "denunciation",
        "initial_handling",
        7,
        "working_days",
        "received",
        "Xử lý ban đầu thông tin tố cáo: 7 ngày làm việc (có thể kéo dài đến 10)",
        f"{DENUNCIATIONS}, Điều 24",
    ),
    _rule(
        "TC-CHUYEN",
        "denunciation",
        "transfer",
        5,
        "working_days",
        "received",
        "Chuyển tố cáo không thuộc thẩm quyền: 5 ngày làm việc",
        f"{DENUNCIATIONS}, Điều 24",
    ),
    _rule(
        "TC",
        "denunciation",
        "resolution",
        30,
        "calendar_days",
        "accepted",
        "Giải quyết tố cáo: 30 ngày kể từ ngày thụ lý",
        f"{DENUNCIATIONS}, Điều 30",
    ),
    _rule(
        "TC-GH1",
        "denunciation",
        "extension",
        30,
        "calendar_days",
        "previous_deadline",
        "Vụ việc phức tạp: gia hạn một lần, không quá 30 ngày",
        f"{DENUNCIATIONS}, Điều 30",
        complex_=True,
        extension_no=1,
    ),
    _rule(
        "TC-GH2",
        "denunciation",
        "extension",
        30,
        "calendar_days",
        "previous_deadline",
        "Vụ việc đặc biệt phức tạp: gia hạn hai lần, mỗi lần không quá 30 ngày",
        f"{DENUNCIATIONS}, Điều 30",
        especially=True,
        extension_no=2,
    ),
    _rule(
        "PA-CHUYEN",
        "petition",
        "transfer",
        5,
        "working_days",
        "received",
        "Chuyển phản ánh, kiến nghị không thuộc thẩm quyền: 5 ngày làm việc",
        "Nghị định về tiếp nhận, xử lý phản ánh, kiến nghị",
        certainty="check",
    ),
]


def upgrade() -> None:
    table = op.create_table(
        "deadline_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("case_kind", sa.String(24), nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("starts_from", sa.String(20), nullable=False),
        sa.Column("complex", sa.Boolean()),
        sa.Column("especially_complex", sa.Boolean()),
        sa.Column("remote", sa.Boolean()),
        sa.Column("extension_no", sa.Integer()),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("certainty", sa.String(8), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_rule")),
        sa.UniqueConstraint("code", name=op.f("uq_deadline_rule_code")),
        sa.CheckConstraint(
            f"case_kind IN ({', '.join(repr(k) for k in KINDS)})", name=op.f("ck_deadline_rule_case_kind")
        ),
        sa.CheckConstraint(f"step IN ({', '.join(repr(s) for s in STEPS)})", name=op.f("ck_deadline_rule_step")),
        sa.CheckConstraint("unit IN ('working_days', 'calendar_days')", name=op.f("ck_deadline_rule_unit")),
        sa.CheckConstraint(
            "starts_from IN ('received', 'accepted', 'previous_deadline')", name=op.f("ck_deadline_rule_starts_from")
        ),
        sa.CheckConstraint("duration > 0", name=op.f("ck_deadline_rule_duration")),
        sa.CheckConstraint("certainty IN ('firm', 'check')", name=op.f("ck_deadline_rule_certainty")),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from", name=op.f("ck_deadline_rule_dates")
        ),
    )
    op.bulk_insert(table, RULES)


def downgrade() -> None:
    op.drop_table("deadline_rule")
