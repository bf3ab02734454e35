from __future__ import annotations

from datetime import date
from enum import StrEnum

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from registry.audit.models import Audited
from registry.base import Base, InForce, Tracked, enum_check


class ZoneKind(StrEnum):
    a1_only = "a1_only"  # only non-bulky poles (heritage, squares, around government offices)
    height_limited = "height_limited"
    airport = "airport"  # obstacle limitation surfaces
    urban = "urban"
    rural = "rural"
    general = "general"


KIND_NAMES = {
    ZoneKind.a1_only: "Khu vực chỉ được lắp cột A1",
    ZoneKind.height_limited: "Khu vực hạn chế chiều cao",
    ZoneKind.airport: "Khu vực tĩnh không sân bay",
    ZoneKind.urban: "Khu vực đô thị",
    ZoneKind.rural: "Khu vực ngoài đô thị",
    ZoneKind.general: "Khu vực khác",
}


class PlanningZone(Audited, Tracked, Base):
    __tablename__ = "planning_zone"
    __audit_entity__ = "planning_zone"
    __table_args__ = (
        enum_check("kind", ZoneKind),
        CheckConstraint("max_height_m IS NULL OR max_height_m > 0", name="max_height"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from", name="dates"),
        Index("ix_planning_zone_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    # "A1" allows A1a, A1b and A1c; null: every class.
    allowed_pole_classes: Mapped[list[str] | None] = mapped_column(ARRAY(String(4)))
    max_height_m: Mapped[float | None] = mapped_column(Float)  # pole height
    urban: Mapped[bool | None] = mapped_column(Boolean)  # null: from the administrative unit
    source_decision: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)  # exclusive
    notes: Mapped[str | None] = mapped_column(Text)


class SpacingRule(InForce, Audited, Tracked, Base):
    """Least distance between two bulky poles, by pole class and height band, urban or not.

    A rule with a zone applies inside that zone and overrides the general ones (no zone). The band is
    ``height_above_m`` < pole height ≤ ``height_up_to_m``.
    """

    __tablename__ = "spacing_rule"
    __audit_entity__ = "spacing_rule"
    __audit_parents__ = {"zone_id": "planning_zone"}
    __table_args__ = (
        CheckConstraint("min_distance_m > 0", name="distance"),
        CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("planning_zone.id", ondelete="CASCADE"), index=True)
    pole_class: Mapped[str] = mapped_column(String(4))  # "A2" covers A2a, A2b, A2c
    height_above_m: Mapped[float | None] = mapped_column(Float)
    height_up_to_m: Mapped[float | None] = mapped_column(Float)
    urban: Mapped[bool | None] = mapped_column(Boolean)  # null: both
    min_distance_m: Mapped[float] = mapped_column(Float)
    legal_basis: Mapped[str] = mapped_column(Text)
