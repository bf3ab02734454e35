"""Documents, permits, frequency licences, permit rules, planning zones and spacing rules.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "construction_permit",
    "construction_exemption",
    "construction_notification",
    "obstacle_height_approval",
    "inspection_certificate",
    "self_declaration",
)
ZONE_KINDS = ("a1_only", "height_limited", "airport", "urban", "rural", "general")


def _tracked() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def _validity() -> list[sa.Column]:
    return [
        sa.Column("number", sa.String(60), nullable=False),
        sa.Column("issuer", sa.Text()),
        sa.Column("issue_date", sa.Date()),
        sa.Column("valid_from", sa.Date()),
        sa.Column("valid_until", sa.Date()),
        sa.Column("conditions", sa.Text()),
        sa.Column("suspended_from", sa.Date()),
        sa.Column("suspended_until", sa.Date()),
        sa.Column("revoked_on", sa.Date()),
        sa.Column("status_reason", sa.Text()),
        sa.Column("notes", sa.Text()),
    ]


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# Seeded from ../shared/DOMAIN.md §1; editable by an admin. certainty 'check' = widely cited, not
# confirmed in legal text.
RULES = [
    dict(
        code="SITE-NOTIFY",
        applies_to="site",
        permit_kinds=["construction_notification"],
        description="Thông báo cho cơ quan quản lý viễn thông cấp tỉnh trước khi xây dựng, lắp đặt công trình "
        "hạ tầng kỹ thuật viễn thông thụ động (không thông báo: phạt 20–30 triệu đồng)",
        legal_basis="Luật Viễn thông 2023; nghị định hướng dẫn về hạ tầng kỹ thuật viễn thông thụ động",
        certainty="firm",
        effective_from=date(2024, 7, 1),
    ),
    dict(
        code="SITE-A2B-PERMIT",
        applies_to="site",
        permit_kinds=["construction_permit"],
        pole_classes=["A2b"],
        description="Cột ăng ten cồng kềnh dựng trên mặt đất (A2b) phải có giấy phép xây dựng",
        legal_basis="Luật Xây dựng 2014, sửa đổi 2020 (Điều 89)",
        effective_from=date(2021, 1, 1),
    ),
    dict(
        code="SITE-A2A-PERMIT",
        applies_to="site",
        permit_kinds=["construction_permit", "construction_exemption"],
        pole_classes=["A2a", "A2c"],
        description="Cột ăng ten cồng kềnh trên công trình (A2a, A2c): giấy phép xây dựng hoặc văn bản miễn phép",
        legal_basis="Luật Xây dựng 2014, sửa đổi 2020 (Điều 89)",
        effective_from=date(2021, 1, 1),
    ),
    dict(
        code="SITE-TALL-OBSTACLE",
        applies_to="site",
        permit_kinds=["obstacle_height_approval"],
        min_height_m=45.0,
        description="Công trình cao từ 45 m trở lên phải được chấp thuận độ cao tĩnh không",
        legal_basis="Nghị định 32/2016/NĐ-CP về quản lý độ cao chướng ngại vật hàng không",
        effective_from=date(2016, 7, 1),
    ),
    dict(
        code="SITE-AIRPORT-OBSTACLE",
        applies_to="site",
        permit_kinds=["obstacle_height_approval"],
        zone_kinds=["airport"],
        description="Công trình trong khu vực tĩnh không sân bay phải được chấp thuận độ cao",
        legal_basis="Nghị định 32/2016/NĐ-CP; không dựng cột trong phạm vi 4 km từ đầu đường cất hạ cánh",
        effective_from=date(2016, 7, 1),
    ),
    dict(
        code="STATION-INSPECTION",
        applies_to="station",
        permit_kinds=["inspection_certificate", "self_declaration"],
        description="Trạm gốc phải có giấy chứng nhận kiểm định còn hạn, hoặc (trạm ngoài danh mục bắt buộc "
        "kiểm định) bản công bố trạm gốc phù hợp quy chuẩn niêm yết tại trạm",
        legal_basis="Luật Viễn thông; thông tư về danh mục đài vô tuyến điện bắt buộc kiểm định",
        certainty="firm",
        effective_from=date(2010, 7, 1),
    ),
]

SPACING_BASIS = (
    "Khoảng cách tối thiểu giữa các cột cồng kềnh theo quy hoạch hạ tầng viễn thông thụ động của một tỉnh "
    "(ví dụ; đối chiếu quy hoạch của thành phố)"
)
SPACING = [
    ("A2a", None, 15.0, True, 150.0),
    ("A2a", None, 15.0, False, 200.0),
    ("A2a", 15.0, None, True, 200.0),
    ("A2a", 15.0, None, False, 350.0),
    ("A2b", None, None, True, 300.0),
]


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("sha256", name="uq_document_sha256"),
        sa.CheckConstraint(
            "media_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="ck_document_media_type"
        ),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="ck_document_sha256"),
    )
    op.create_table(
        "permit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column(
            "site_id", sa.Integer(), sa.ForeignKey("site.id", ondelete="RESTRICT", name="fk_permit_site_id_site")
        ),
        sa.Column(
            "station_id",
            sa.Integer(),
            sa.ForeignKey("station.id", ondelete="RESTRICT", name="fk_permit_station_id_station"),
        ),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id", name="fk_permit_document_id_document")),
        *_validity(),
        *_tracked(),
        sa.CheckConstraint(_in("kind", KINDS), name="ck_permit_kind"),
        sa.CheckConstraint("num_nonnulls(site_id, station_id) = 1", name="ck_permit_one_holder"),
        sa.CheckConstraint(
            "(kind IN ('inspection_certificate', 'self_declaration')) = (station_id IS NOT NULL)",
            name="ck_permit_holder_kind",
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from", name="ck_permit_dates"
        ),
    )
    op.create_index("ix_permit_site_id", "permit", ["site_id"])
    op.create_index("ix_permit_station_id", "permit", ["station_id"])
    op.create_index("ix_permit_valid_until", "permit", ["valid_until"])
    op.create_table(
        "frequency_licence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "operator_id",
            sa.Integer(),
            sa.ForeignKey("organisation.id", name="fk_frequency_licence_operator_id_organisation"),
            nullable=False,
        ),
        sa.Column("band", sa.String(16), nullable=False),
        sa.Column(
            "document_id", sa.Integer(), sa.ForeignKey("document.id", name="fk_frequency_licence_document_id_document")
        ),
        *_validity(),
        *_tracked(),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from", name="ck_frequency_licence_dates"
        ),
    )
    op.create_index("ix_frequency_licence_operator_id", "frequency_licence", ["operator_id"])
    rules = op.create_table(
        "permit_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("applies_to", sa.String(8), nullable=False),
        sa.Column("permit_kinds", ARRAY(sa.String(32)), nullable=False),
        sa.Column("pole_classes", ARRAY(sa.String(4))),
        sa.Column("min_height_m", sa.Float()),
        sa.Column("max_height_m", sa.Float()),
        sa.Column("zone_kinds", ARRAY(sa.String(20))),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("certainty", sa.String(8), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date()),
        *_tracked(),
        sa.UniqueConstraint("code", name="uq_permit_rule_code"),
        sa.CheckConstraint("applies_to IN ('site', 'station')", name="ck_permit_rule_applies_to"),
        sa.CheckConstraint("certainty IN ('firm', 'check')", name="ck_permit_rule_certainty"),
        sa.CheckConstraint("cardinality(permit_kinds) > 0", name="ck_permit_rule_kinds"),
        sa.CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="ck_permit_rule_dates"),
    )
    op.create_table(
        "planning_zone",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
        sa.Column("allowed_pole_classes", ARRAY(sa.String(4))),
        sa.Column("max_height_m", sa.Float()),
        sa.Column("urban", sa.Boolean()),
        sa.Column("source_decision", sa.Text()),
        sa.Column("valid_from", sa.Date()),
        sa.Column("valid_to", sa.Date()),
        sa.Column("notes", sa.Text()),
        *_tracked(),
        sa.UniqueConstraint("code", name="uq_planning_zone_code"),
        sa.CheckConstraint(_in("kind", ZONE_KINDS), name="ck_planning_zone_kind"),
        sa.CheckConstraint("max_height_m IS NULL OR max_height_m > 0", name="ck_planning_zone_max_height"),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from", name="ck_planning_zone_dates"
        ),
    )
    op.create_index("ix_planning_zone_geom", "planning_zone", ["geom"], postgresql_using="gist")
    spacing = op.create_table(
        "spacing_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "zone_id",
            sa.Integer(),
            sa.ForeignKey("planning_zone.id", ondelete="CASCADE", name="fk_spacing_rule_zone_id_planning_zone"),
        ),
        sa.Column("pole_class", sa.String(4), nullable=False),
        sa.Column("height_above_m", sa.Float()),
        sa.Column("height_up_to_m", sa.Float()),
        sa.Column("urban", sa.Boolean()),
        sa.Column("min_distance_m", sa.Float(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date()),
        *_tracked(),
        sa.CheckConstraint("min_distance_m > 0", name="ck_spacing_rule_distance"),
        sa.CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="ck_spacing_rule_dates"),
    )
    op.create_index("ix_spacing_rule_zone_id", "spacing_rule", ["zone_id"])
    # A permit's (or licence's) status on a day, in one place for every query.
    op.execute(
        """
        CREATE FUNCTION permit_status(
            valid_from date, valid_until date, suspended_from date, suspended_until date, revoked_on date,
            on_date date, expiring_days integer
        ) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE
                WHEN revoked_on IS NOT NULL AND revoked_on <= on_date THEN 'revoked'
                WHEN suspended_from IS NOT NULL AND suspended_from <= on_date
                     AND (suspended_until IS NULL OR suspended_until >= on_date) THEN 'suspended'
                WHEN valid_from IS NOT NULL AND valid_from > on_date THEN 'not_yet_valid'
                WHEN valid_until IS NOT NULL AND valid_until < on_date THEN 'expired'
                WHEN valid_until IS NOT NULL AND valid_until <= on_date + expiring_days THEN 'expiring'
                ELSE 'valid'
            END
        $$
        """
    )
    op.bulk_insert(
        rules,
        [
            {
                "pole_classes": None,
                "min_height_m": None,
                "max_height_m": None,
                "zone_kinds": None,
                "certainty": "check",
                "effective_to": None,
                **r,
            }
            for r in RULES
        ],
    )
    op.bulk_insert(
        spacing,
        [
            {
                "zone_id": None,
                "pole_class": c,
                "height_above_m": above,
                "height_up_to_m": up_to,
                "urban": urban,
                "min_distance_m": d,
                "legal_basis": SPACING_BASIS,
                "effective_from": date(2021, 1, 1),
                "effective_to": None,
            }
            for c, above, up_to, urban, d in SPACING
        ],
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS permit_status(date, date, date, date, date, date, integer)")
    for table in ("spacing_rule", "planning_zone", "permit_rule", "frequency_licence", "permit", "document"):
        op.drop_table(table)
