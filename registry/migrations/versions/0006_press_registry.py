"""The press registry: outlets, succession links, licences and amendments, notifications and their
lead-time rules (seeded from DOMAIN.md §2), websites' annual reports.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence
from datetime import date

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_PRESS_LAW = "Luật Báo chí 2016 và văn bản hướng dẫn"
NOTIFICATION_RULES = [
    {
        "code": "NOTIFY-REP-OFFICE",
        "kind": "representative_office_opening",
        "min_lead": 15,
        "unit": "days",
        "description": "Thông báo cho Sở trước khi văn phòng đại diện bắt đầu hoạt động ít nhất 15 ngày",
        "legal_basis": _PRESS_LAW,
        "certainty": "firm",
        "effective_from": date(2017, 1, 1),
        "effective_to": None,
    },
    {
        "code": "NOTIFY-CORRESPONDENT",
        "kind": "correspondent_opening",
        "min_lead": 15,
        "unit": "days",
        "description": "Thông báo cho Sở trước khi phóng viên thường trú bắt đầu hoạt động ít nhất 15 ngày",
        "legal_basis": _PRESS_LAW,
        "certainty": "firm",
        "effective_from": date(2017, 1, 1),
        "effective_to": None,
    },
    {
        "code": "NOTIFY-CHANGE",
        "kind": "change",
        "min_lead": 5,
        "unit": "days",
        "description": "Thông báo thay đổi (trụ sở, người đứng đầu, phóng viên …) ít nhất 5 ngày trước khi thay đổi",
        "legal_basis": _PRESS_LAW,
        "certainty": "firm",
        "effective_from": date(2017, 1, 1),
        "effective_to": None,
    },
    {
        "code": "NOTIFY-PRESS-CONFERENCE",
        "kind": "press_conference",
        "min_lead": 24,
        "unit": "hours",
        "description": "Thông báo họp báo ít nhất 24 giờ trước giờ họp báo",
        "legal_basis": _PRESS_LAW,
        "certainty": "firm",
        "effective_from": date(2017, 1, 1),
        "effective_to": None,
    },
    {
        "code": "REFUSE-PRESS-CONFERENCE",
        "kind": "press_conference_refusal",
        "min_lead": 12,
        "unit": "hours",
        "description": "Văn bản không đồng ý họp báo phải gửi ít nhất 12 giờ trước giờ họp báo",
        "legal_basis": _PRESS_LAW,
        "certainty": "check",
        "effective_from": date(2017, 1, 1),
        "effective_to": None,
    },
]


def upgrade() -> None:
    rules = op.create_table(
        "press_notification_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("min_lead", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=6), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("certainty", sa.String(length=8), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "kind IN ('representative_office_opening', 'correspondent_opening', 'change', 'press_conference', 'press_conference_refusal')",  # noqa: E501
            name=op.f("ck_press_notification_rule_kind"),
        ),
        sa.CheckConstraint("unit IN ('days', 'hours')", name=op.f("ck_press_notification_rule_unit")),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from", name=op.f("ck_press_notification_rule_dates")
        ),
        sa.CheckConstraint("min_lead > 0", name=op.f("ck_press_notification_rule_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_press_notification_rule")),
        sa.UniqueConstraint("code", name=op.f("uq_press_notification_rule_code")),
    )
    op.create_table(
        "press_outlet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("short_name", sa.Text(), nullable=True),
        sa.Column("governing_body", sa.Text(), nullable=True),
        sa.Column("head_name", sa.Text(), nullable=True),
        sa.Column("head_title", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("admin_unit_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("domains", postgresql.ARRAY(sa.String(length=253)), server_default="{}", nullable=False),
        sa.Column("periodicity", sa.Text(), nullable=True),
        sa.Column("languages", postgresql.ARRAY(sa.String(length=12)), server_default="{}", nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "kind IN ('print_newspaper', 'magazine', 'e_newspaper', 'radio', 'television', 'newsletter', 'special_issue', 'general_website', 'representative_office', 'resident_correspondent')",  # noqa: E501
            name=op.f("ck_press_outlet_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'ceased', 'merged')", name=op.f("ck_press_outlet_status")
        ),
        sa.ForeignKeyConstraint(
            ["admin_unit_id"], ["admin_unit.id"], name=op.f("fk_press_outlet_admin_unit_id_admin_unit")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["press_outlet.id"], name=op.f("fk_press_outlet_parent_id_press_outlet")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_press_outlet")),
        sa.UniqueConstraint("code", name=op.f("uq_press_outlet_code")),
    )
    op.create_index(op.f("ix_press_outlet_admin_unit_id"), "press_outlet", ["admin_unit_id"], unique=False)
    op.create_index("ix_press_outlet_domains", "press_outlet", ["domains"], unique=False, postgresql_using="gin")
    op.create_index("ix_press_outlet_geom", "press_outlet", ["geom"], unique=False, postgresql_using="gist")
    op.create_index(op.f("ix_press_outlet_parent_id"), "press_outlet", ["parent_id"], unique=False)
    op.create_index(
        "ix_press_outlet_search",
        "press_outlet",
        [sa.literal_column("search_text gin_trgm_ops")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "press_annual_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["press_outlet.id"], name=op.f("fk_press_annual_report_outlet_id_press_outlet")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_press_annual_report")),
        sa.UniqueConstraint("outlet_id", "year", name=op.f("uq_press_annual_report_outlet_id_year")),
    )
    op.create_index(op.f("ix_press_annual_report_outlet_id"), "press_annual_report", ["outlet_id"], unique=False)
    op.create_table(
        "press_licence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("suspended_from", sa.Date(), nullable=True),
        sa.Column("suspended_until", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "kind IN ('press_licence', 'newsletter_licence', 'special_issue_licence', 'website_licence')",
            name=op.f("ck_press_licence_kind"),
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
            name=op.f("ck_press_licence_dates"),
        ),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_press_licence_document_id_document")),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["press_outlet.id"], name=op.f("fk_press_licence_outlet_id_press_outlet")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_press_licence")),
    )
    op.create_index("ix_press_licence_number", "press_licence", [sa.literal_column("lower(number)")], unique=False)
    op.create_index(op.f("ix_press_licence_outlet_id"), "press_licence", ["outlet_id"], unique=False)
    op.create_table(
        "press_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("organiser", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "kind IN ('representative_office_opening', 'correspondent_opening', 'change', 'press_conference', 'press_conference_refusal')",  # noqa: E501
            name=op.f("ck_press_notification_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["press_outlet.id"], name=op.f("fk_press_notification_outlet_id_press_outlet")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_press_notification")),
    )
    op.create_index(op.f("ix_press_notification_outlet_id"), "press_notification", ["outlet_id"], unique=False)
    op.create_table(
        "press_outlet_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('merged', 'renamed')", name=op.f("ck_press_outlet_link_kind")),
        sa.CheckConstraint("predecessor_id <> successor_id", name=op.f("ck_press_outlet_link_distinct")),
        sa.ForeignKeyConstraint(
            ["predecessor_id"], ["press_outlet.id"], name=op.f("fk_press_outlet_link_predecessor_id_press_outlet")
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"], ["press_outlet.id"], name=op.f("fk_press_outlet_link_successor_id_press_outlet")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_press_outlet_link")),
        sa.UniqueConstraint(
            "predecessor_id", "successor_id", name=op.f("uq_press_outlet_link_predecessor_id_successor_id")
        ),
    )
    op.create_index(op.f("ix_press_outlet_link_predecessor_id"), "press_outlet_link", ["predecessor_id"], unique=False)
    op.create_index(op.f("ix_press_outlet_link_successor_id"), "press_outlet_link", ["successor_id"], unique=False)
    op.create_table(
        "press_licence_amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("amendment_no", sa.Integer(), nullable=False),
        sa.Column("decision_number", sa.String(length=60), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["press_licence.id"], name=op.f("fk_press_licence_amendment_licence_id_press_licence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_press_licence_amendment")),
        sa.UniqueConstraint(
            "licence_id", "amendment_no", name=op.f("uq_press_licence_amendment_licence_id_amendment_no")
        ),
    )
    op.create_index(
        op.f("ix_press_licence_amendment_licence_id"), "press_licence_amendment", ["licence_id"], unique=False
    )
    op.bulk_insert(rules, NOTIFICATION_RULES)


def downgrade() -> None:
    op.drop_index(op.f("ix_press_licence_amendment_licence_id"), table_name="press_licence_amendment")
    op.drop_table("press_licence_amendment")
    op.drop_index(op.f("ix_press_outlet_link_successor_id"), table_name="press_outlet_link")
    op.drop_index(op.f("ix_press_outlet_link_predecessor_id"), table_name="press_outlet_link")
    op.drop_table("press_outlet_link")
    op.drop_index(op.f("ix_press_notification_outlet_id"), table_name="press_notification")
    op.drop_table("press_notification")
    op.drop_index(op.f("ix_press_licence_outlet_id"), table_name="press_licence")
    op.drop_index("ix_press_licence_number", table_name="press_licence")
    op.drop_table("press_licence")
    op.drop_index(op.f("ix_press_annual_report_outlet_id"), table_name="press_annual_report")
    op.drop_table("press_annual_report")
    op.drop_index("ix_press_outlet_search", table_name="press_outlet", postgresql_using="gin")
    op.drop_index(op.f("ix_press_outlet_parent_id"), table_name="press_outlet")
    op.drop_index("ix_press_outlet_geom", table_name="press_outlet", postgresql_using="gist")
    op.drop_index("ix_press_outlet_domains", table_name="press_outlet", postgresql_using="gin")
    op.drop_index(op.f("ix_press_outlet_admin_unit_id"), table_name="press_outlet")
    op.drop_table("press_outlet")
    op.drop_table("press_notification_rule")
