"""Legal constants as data (rule_value), seeded with the values the code used to hard-wire.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The first value of each rule applies to every record the registry may hold (from 1990): earlier
# regimes are not modelled. "check": the article was not verified against the text.
SINCE = date(1990, 1, 1)
SEEDS = [
    ("one_stop.paper_cutoff", "time", "15:00",
     "Hồ sơ giấy (trực tiếp, bưu chính) nhận từ giờ này được tính từ ngày làm việc tiếp theo",
     "Nghị định 61/2018/NĐ-CP, Điều 20", "check"),
    ("one_stop.online_cutoff", "time", "17:00",
     "Hồ sơ trực tuyến nộp từ giờ này (hết giờ hành chính) được tính từ ngày làm việc tiếp theo",
     "Nghị định 45/2020/NĐ-CP (giờ hành chính của Sở)", "check"),
    ("one_stop.send_back_working_days", "integer", "3",
     "Hồ sơ chưa đầy đủ, hợp lệ phải trả lại người nộp trong số ngày làm việc này kể từ khi tiếp nhận",
     "Nghị định 61/2018/NĐ-CP, Điều 19, sửa đổi bởi Nghị định 107/2021/NĐ-CP", "check"),
    ("one_stop.apology_lead_days", "integer", "1",
     "Phiếu xin lỗi và hẹn lại ngày trả kết quả phát hành chậm nhất số ngày này trước ngày hẹn",
     "Nghị định 61/2018/NĐ-CP, Điều 12, sửa đổi bởi Nghị định 107/2021/NĐ-CP", "check"),
    ("one_stop.hours_per_working_day", "integer", "8",
     "Số giờ làm việc một ngày, để quy đổi thời hạn tính bằng giờ ra ngày làm việc",
     "Bộ luật Lao động 2019, Điều 105", "firm"),
    ("sanction.payment_days", "integer", "10",
     "Số ngày nộp tiền phạt kể từ ngày nhận quyết định xử phạt",
     "Luật Xử lý vi phạm hành chính 2012, Điều 73 khoản 1", "firm"),
    ("sanction.late_fee_percent_per_day", "decimal", "0.05",
     "Tiền chậm nộp phạt: phần trăm số tiền phạt chưa nộp cho mỗi ngày chậm",
     "Luật Xử lý vi phạm hành chính 2012, Điều 78 khoản 1", "firm"),
    ("press.annual_report_due", "month_day", "01-15",
     "Trang thông tin điện tử tổng hợp gửi báo cáo năm trước ngày này của năm sau",
     "Nghị định 72/2013/NĐ-CP, sửa đổi bởi Nghị định 27/2018/NĐ-CP", "check"),
]  # fmt: skip


def upgrade() -> None:
    table = op.create_table(
        "rule_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("certainty", sa.String(length=8), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("certainty IN ('firm', 'check')", name=op.f("ck_rule_value_certainty")),
        sa.CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name=op.f("ck_rule_value_dates")),
        sa.CheckConstraint("kind IN ('integer', 'decimal', 'time', 'month_day')", name=op.f("ck_rule_value_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_value")),
        sa.UniqueConstraint("code", "effective_from", name="uq_rule_value_code_from"),
    )
    op.create_index(op.f("ix_rule_value_code"), "rule_value", ["code"], unique=False)
    op.bulk_insert(
        table,
        [
            {"code": c, "kind": k, "value": v, "description": d, "legal_basis": b, "certainty": s,
             "effective_from": SINCE, "effective_to": None}
            for c, k, v, d, b, s in SEEDS
        ],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index(op.f("ix_rule_value_code"), table_name="rule_value")
    op.drop_table("rule_value")
