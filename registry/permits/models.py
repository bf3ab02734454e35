from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.audit.models import Audited
from registry.base import Base, InForce, Tracked, enum_check
from registry.documents.models import Document
from registry.organisations.models import Organisation
from registry.validity import ValidityColumns


class PermitKind(StrEnum):
    construction_permit = "construction_permit"
    construction_exemption = "construction_exemption"
    construction_notification = "construction_notification"
    obstacle_height_approval = "obstacle_height_approval"
    inspection_certificate = "inspection_certificate"
    self_declaration = "self_declaration"


# Kinds held by a station; the others by its site.
STATION_KINDS = frozenset({PermitKind.inspection_certificate, PermitKind.self_declaration})

KIND_NAMES = {
    PermitKind.construction_permit: "Giấy phép xây dựng",
    PermitKind.construction_exemption: "Văn bản miễn giấy phép xây dựng",
    PermitKind.construction_notification: "Thông báo trước khi xây dựng hạ tầng viễn thông thụ động",
    PermitKind.obstacle_height_approval: "Chấp thuận độ cao tĩnh không",
    PermitKind.inspection_certificate: "Giấy chứng nhận kiểm định trạm gốc",
    PermitKind.self_declaration: "Bản công bố trạm gốc phù hợp quy chuẩn",
}


class PermitStatus(StrEnum):
    valid = "valid"
    expiring = "expiring"
    expired = "expired"
    not_yet_valid = "not_yet_valid"
    suspended = "suspended"
    revoked = "revoked"


STATUS_NAMES = {
    PermitStatus.valid: "còn hiệu lực",
    PermitStatus.expiring: "sắp hết hạn",
    PermitStatus.expired: "đã hết hạn",
    PermitStatus.not_yet_valid: "chưa có hiệu lực",
    PermitStatus.suspended: "bị đình chỉ",
    PermitStatus.revoked: "bị thu hồi",
}
# A requirement is met by a permit in one of these states.
SATISFYING = frozenset({PermitStatus.valid, PermitStatus.expiring})


def status_sql(alias: str) -> str:
    """The SQL status of the row ``alias`` (a permit or a licence) on ``:on``, ``:days`` ahead counting as
    expiring; a permit without ``valid_from`` is valid from its issue date. Every query uses this."""
    a = alias
    return (
        f"permit_status(coalesce({a}.valid_from, {a}.issue_date), {a}.valid_until, {a}.suspended_from, "
        f"{a}.suspended_until, {a}.revoked_on, :on, :days)"
    )


class Permit(ValidityColumns, Audited, Tracked, Base):
    __tablename__ = "permit"
    __audit_entity__ = "permit"
    __audit_parents__ = {"site_id": "site", "station_id": "station"}
    __table_args__ = (
        enum_check("kind", PermitKind),
        CheckConstraint("num_nonnulls(site_id, station_id) = 1", name="one_holder"),
        CheckConstraint(
            "(kind IN ('inspection_certificate', 'self_declaration')) = (station_id IS NOT NULL)", name="holder_kind"
        ),
        CheckConstraint("valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from", name="dates"),
        Index("ix_permit_valid_until", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="RESTRICT"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id", ondelete="RESTRICT"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    document: Mapped[Document | None] = relationship(lazy="joined")


class FrequencyLicence(ValidityColumns, Audited, Tracked, Base):
    """A licence to use a band, held by an operator for its whole network (up to 15 years)."""

    __tablename__ = "frequency_licence"
    __audit_entity__ = "frequency_licence"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    band: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    operator: Mapped[Organisation] = relationship(lazy="joined")


class PermitRule(InForce, Audited, Tracked, Base):
    """One requirement: a site or station matching the conditions needs a permit of one of the kinds.

    Heights compare the structure's height above ground (building height + pole height);
    ``min_height_m`` is inclusive, ``max_height_m`` exclusive. Null conditions match anything.
    """

    __tablename__ = "permit_rule"
    __audit_entity__ = "permit_rule"
    __table_args__ = (
        enum_check("applies_to", ["site", "station"]),
        enum_check("certainty", ["firm", "check"]),
        CheckConstraint("cardinality(permit_kinds) > 0", name="kinds"),
        CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    applies_to: Mapped[str] = mapped_column(String(8))
    permit_kinds: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    pole_classes: Mapped[list[str] | None] = mapped_column(ARRAY(String(4)))
    min_height_m: Mapped[float | None] = mapped_column(Float)
    max_height_m: Mapped[float | None] = mapped_column(Float)
    zone_kinds: Mapped[list[str] | None] = mapped_column(ARRAY(String(20)))
    description: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    certainty: Mapped[str] = mapped_column(String(8), default="check")
