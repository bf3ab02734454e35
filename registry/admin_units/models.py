from __future__ import annotations

from datetime import date

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.audit.models import Audited
from registry.base import Base, enum_check


class AdminUnit(Audited, Base):
    __audit_entity__ = "admin_unit"
    __tablename__ = "admin_unit"
    __table_args__ = (
        UniqueConstraint("code", "valid_from", postgresql_nulls_not_distinct=True),
        enum_check("level", ["province", "district", "commune"]),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity"),
        Index("ix_admin_unit_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    # phuong, xa, dac_khu, quan, huyen, thi_xa, thanh_pho ...: the Vietnamese kind of unit.
    kind: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)  # None: start not recorded
    valid_to: Mapped[date | None] = mapped_column(Date)
    urban: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    approximate: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    former_district: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[WKBElement | None] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
