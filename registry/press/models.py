from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.admin_units.models import AdminUnit
from registry.audit.models import Audited
from registry.base import Base, InForce, Tracked, enum_check
from registry.validity import ValidityColumns


class OutletKind(StrEnum):
    print_newspaper = "print_newspaper"
    magazine = "magazine"
    e_newspaper = "e_newspaper"
    radio = "radio"
    television = "television"
    newsletter = "newsletter"
    special_issue = "special_issue"
    general_website = "general_website"
    representative_office = "representative_office"
    resident_correspondent = "resident_correspondent"


OUTLET_KIND_NAMES = {
    OutletKind.print_newspaper: "Báo in",
    OutletKind.magazine: "Tạp chí",
    OutletKind.e_newspaper: "Báo điện tử",
    OutletKind.radio: "Phát thanh",
    OutletKind.television: "Truyền hình",
    OutletKind.newsletter: "Bản tin",
    OutletKind.special_issue: "Đặc san",
    OutletKind.general_website: "Trang thông tin điện tử tổng hợp",
    OutletKind.representative_office: "Văn phòng đại diện",
    OutletKind.resident_correspondent: "Phóng viên thường trú",
}
# Kinds that are the presence here of an outlet based elsewhere: they point to their parent.
BRANCH_KINDS = frozenset({OutletKind.representative_office, OutletKind.resident_correspondent})
# Kinds whose domains are registered (and unique among active outlets).
ONLINE_KINDS = frozenset({OutletKind.e_newspaper, OutletKind.general_website, OutletKind.magazine})


class OutletStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    ceased = "ceased"
    merged = "merged"


OUTLET_STATUS_NAMES = {
    OutletStatus.active: "đang hoạt động",
    OutletStatus.suspended: "đình bản/tạm dừng",
    OutletStatus.ceased: "đã chấm dứt",
    OutletStatus.merged: "đã sáp nhập",
}


class PressOutlet(Audited, Tracked, Base):
    __tablename__ = "press_outlet"
    __audit_entity__ = "press_outlet"
    __audit_exclude__ = frozenset({"search_text"})
    __audit_parents__ = {"parent_id": "press_outlet"}
    __table_args__ = (
        enum_check("kind", OutletKind),
        enum_check("status", OutletStatus),
        Index("ix_press_outlet_geom", "geom", postgresql_using="gist"),
        Index("ix_press_outlet_search", text("search_text gin_trgm_ops"), postgresql_using="gin"),
        Index("ix_press_outlet_domains", "domains", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str | None] = mapped_column(Text)
    governing_body: Mapped[str | None] = mapped_column(Text)
    head_name: Mapped[str | None] = mapped_column(Text)  # editor-in-chief, director or head
    head_title: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[WKBElement | None] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    admin_unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    domains: Mapped[list[str]] = mapped_column(ARRAY(String(253)), default=list, server_default="{}")
    periodicity: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(12)), default=list, server_default="{}")
    status: Mapped[str] = mapped_column(String(12), default=OutletStatus.active.value)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("press_outlet.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    # Folded name, short name, governing body and domains: what search matches (trigram-indexed).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    admin_unit: Mapped[AdminUnit | None] = relationship(lazy="joined")
    parent: Mapped[PressOutlet | None] = relationship(remote_side="PressOutlet.id", lazy="joined", join_depth=1)


class OutletLink(Audited, Base):
    """A predecessor merged into (or renamed as) a successor."""

    __tablename__ = "press_outlet_link"
    __audit_entity__ = "press_outlet_link"
    __audit_parents__ = {"predecessor_id": "press_outlet", "successor_id": "press_outlet"}
    __table_args__ = (
        UniqueConstraint("predecessor_id", "successor_id"),
        enum_check("kind", ["merged", "renamed"]),
        CheckConstraint("predecessor_id <> successor_id", name="distinct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("press_outlet.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("press_outlet.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    effective_date: Mapped[date] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(Text)


class LicenceKind(StrEnum):
    press_licence = "press_licence"  # giấy phép hoạt động báo chí (ministry)
    newsletter_licence = "newsletter_licence"
    special_issue_licence = "special_issue_licence"
    website_licence = "website_licence"


LICENCE_KIND_NAMES = {
    LicenceKind.press_licence: "Giấy phép hoạt động báo chí",
    LicenceKind.newsletter_licence: "Giấy phép xuất bản bản tin",
    LicenceKind.special_issue_licence: "Giấy phép xuất bản đặc san",
    LicenceKind.website_licence: "Giấy phép thiết lập trang thông tin điện tử tổng hợp",
}
# Which licence an outlet of a kind must hold to be operating lawfully.
REQUIRED_LICENCE = {
    OutletKind.print_newspaper: LicenceKind.press_licence,
    OutletKind.magazine: LicenceKind.press_licence,
    OutletKind.e_newspaper: LicenceKind.press_licence,
    OutletKind.radio: LicenceKind.press_licence,
    OutletKind.television: LicenceKind.press_licence,
    OutletKind.newsletter: LicenceKind.newsletter_licence,
    OutletKind.special_issue: LicenceKind.special_issue_licence,
    OutletKind.general_website: LicenceKind.website_licence,
}


class PressLicence(ValidityColumns, Audited, Tracked, Base):
    __tablename__ = "press_licence"
    __audit_entity__ = "press_licence"
    __audit_parents__ = {"outlet_id": "press_outlet"}
    __table_args__ = (
        enum_check("kind", LicenceKind),
        CheckConstraint("valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from", name="dates"),
        Index("ix_press_licence_number", text("lower(number)")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("press_outlet.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    amendments: Mapped[list[LicenceAmendment]] = relationship(
        back_populates="licence", order_by="LicenceAmendment.amendment_no"
    )


class LicenceAmendment(Audited, Base):
    """One amendment of a licence (giấy phép sửa đổi, bổ sung): what changed, kept, never overwritten."""

    __tablename__ = "press_licence_amendment"
    __audit_entity__ = "press_licence_amendment"
    __audit_parents__ = {"licence_id": "press_licence"}
    __table_args__ = (UniqueConstraint("licence_id", "amendment_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("press_licence.id"), index=True)
    amendment_no: Mapped[int] = mapped_column(Integer)
    decision_number: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    # {field: [before, after]}
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    licence: Mapped[PressLicence] = relationship(back_populates="amendments")


class NotificationKind(StrEnum):
    representative_office_opening = "representative_office_opening"
    correspondent_opening = "correspondent_opening"
    change = "change"
    press_conference = "press_conference"
    press_conference_refusal = "press_conference_refusal"


NOTIFICATION_KIND_NAMES = {
    NotificationKind.representative_office_opening: "Thông báo mở văn phòng đại diện",
    NotificationKind.correspondent_opening: "Thông báo phóng viên thường trú",
    NotificationKind.change: "Thông báo thay đổi",
    NotificationKind.press_conference: "Thông báo họp báo",
    NotificationKind.press_conference_refusal: "Văn bản không đồng ý họp báo",
}


class NotificationRule(InForce, Audited, Tracked, Base):
    """How long before the event a notification must be filed, in force between two dates."""

    __tablename__ = "press_notification_rule"
    __audit_entity__ = "press_notification_rule"
    __table_args__ = (
        enum_check("kind", NotificationKind),
        enum_check("unit", ["days", "hours"]),
        CheckConstraint("min_lead > 0", name="lead"),
        CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    min_lead: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(6))
    description: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    certainty: Mapped[str] = mapped_column(String(8), default="check")


class PressNotification(Audited, Tracked, Base):
    __tablename__ = "press_notification"
    __audit_entity__ = "press_notification"
    __audit_parents__ = {"outlet_id": "press_outlet"}
    __table_args__ = (enum_check("kind", NotificationKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("press_outlet.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    organiser: Mapped[str | None] = mapped_column(Text)  # who filed it when not an outlet in the registry
    subject: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class AnnualReport(Audited, Base):
    """A general-information website's report for a year, due before 15 January of the next."""

    __tablename__ = "press_annual_report"
    __audit_entity__ = "press_annual_report"
    __audit_parents__ = {"outlet_id": "press_outlet"}
    __table_args__ = (UniqueConstraint("outlet_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("press_outlet.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    filed_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
