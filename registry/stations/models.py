from __future__ import annotations

from datetime import date
from enum import StrEnum

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.admin_units.models import AdminUnit
from registry.audit.models import Audited, PartOf
from registry.base import Base, Tracked, enum_check
from registry.organisations.models import Organisation
from registry.positions import Provenance


class PoleClass(StrEnum):
    A1a = "A1a"
    A1b = "A1b"
    A1c = "A1c"
    A2a = "A2a"
    A2b = "A2b"
    A2c = "A2c"


class SiteStatus(StrEnum):
    planned = "planned"
    under_construction = "under_construction"
    operating = "operating"
    dismantled = "dismantled"


class StationStatus(StrEnum):
    planned = "planned"
    under_construction = "under_construction"
    operating = "operating"
    suspended = "suspended"
    dismantled = "dismantled"


class Technology(StrEnum):
    g2 = "2G"
    g3 = "3G"
    g4 = "4G"
    g5 = "5G"


class Site(Audited, Tracked, Base):
    __audit_entity__ = "site"
    __audit_exclude__ = frozenset({"map_keys", "operators", "technologies", "station_count"})
    __tablename__ = "site"
    __table_args__ = (
        enum_check("pole_class", PoleClass),
        enum_check("status", SiteStatus),
        enum_check("provenance", Provenance),
        CheckConstraint("pole_height_m IS NULL OR pole_height_m > 0", name="pole_height"),
        CheckConstraint("building_height_m IS NULL OR building_height_m >= 0", name="building_height"),
        Index("ix_site_geom", "geom", postgresql_using="gist"),
        # Distances in metres are computed on geography; this index serves ST_DWithin and <->.
        Index("ix_site_geog", text("(geom::geography)"), postgresql_using="gist"),
        Index(
            "ix_site_search",
            text("f_unaccent(lower(code || ' ' || coalesce(address, ''))) gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    geom: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    # Coordinates exactly as entered: (x, y) = (lon, lat) for geographic CRSs, (easting, northing)
    # for projected ones, whatever order the source wrote them in.
    source_crs: Mapped[int] = mapped_column(Integer, default=4326)
    source_x: Mapped[float] = mapped_column(Float)
    source_y: Mapped[float] = mapped_column(Float)
    provenance: Mapped[str] = mapped_column(String(16), default=Provenance.gps.value)
    address: Mapped[str | None] = mapped_column(Text)
    admin_unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    # The unit as the source named it when entered (it may since have been merged or renamed).
    entered_admin_unit: Mapped[str | None] = mapped_column(Text)
    pole_class: Mapped[str | None] = mapped_column(String(4))
    pole_height_m: Mapped[float | None] = mapped_column(Float)
    building_height_m: Mapped[float | None] = mapped_column(Float)
    ground_elevation_m: Mapped[float | None] = mapped_column(Float)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=SiteStatus.operating.value)
    notes: Mapped[str | None] = mapped_column(Text)
    # What a map layer may narrow the site by, from its stations ('o:<operator id>', 't:<technology>'):
    # kept by a database trigger on station for the grid counts of far-out tiles (migration 0012).
    map_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    # Its stations' operators (short names) and technologies, distinct and sorted, and their number: what
    # lists and nearest show, kept by the same triggers (and one on organisation for renames; migration 0020).
    operators: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    technologies: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    station_count: Mapped[int] = mapped_column(Integer, server_default="0")

    admin_unit: Mapped[AdminUnit | None] = relationship(lazy="joined")
    owner: Mapped[Organisation | None] = relationship(lazy="joined")
    stations: Mapped[list[Station]] = relationship(back_populates="site", order_by="Station.id")


class Station(Audited, Tracked, Base):
    __audit_entity__ = "station"
    __audit_parents__ = {"site_id": "site"}
    __tablename__ = "station"
    __table_args__ = (
        UniqueConstraint("operator_id", "station_code"),
        enum_check("status", StationStatus),
        CheckConstraint("technologies <@ ARRAY['2G', '3G', '4G', '5G']::varchar[]", name="technologies"),
        Index("ix_station_technologies", "technologies", postgresql_using="gin"),
        Index(
            "ix_station_search",
            text("f_unaccent(lower(station_code)) gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    station_code: Mapped[str] = mapped_column(String(60))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="RESTRICT"), index=True)
    technologies: Mapped[list[str]] = mapped_column(ARRAY(String(2)), default=list, server_default="{}")
    bands: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list, server_default="{}")
    status: Mapped[str] = mapped_column(String(20), default=StationStatus.operating.value)
    commissioning_date: Mapped[date | None] = mapped_column(Date)
    equipment_model: Mapped[str | None] = mapped_column(Text)
    configuration: Mapped[str | None] = mapped_column(String(40))

    operator: Mapped[Organisation] = relationship(lazy="joined")
    site: Mapped[Site] = relationship(back_populates="stations")
    sectors: Mapped[list[Sector]] = relationship(
        back_populates="station", order_by="Sector.sector_no", cascade="all, delete-orphan"
    )


class Sector(Audited, Base):
    __audit_entity__ = "sector"
    __audit_parents__ = {"station_id": "station"}
    # A sector is part of its station: its changes are the station's "sectors" (older trails hold
    # events of sectors of their own, still read by the history).
    __audit_part_of__ = PartOf("station", "station_id", "sectors", "sector_no")
    __tablename__ = "sector"
    __table_args__ = (
        UniqueConstraint("station_id", "sector_no"),
        CheckConstraint("azimuth_deg >= 0 AND azimuth_deg < 360", name="azimuth"),
        CheckConstraint("tilt_deg IS NULL OR tilt_deg BETWEEN -90 AND 90", name="tilt"),
        CheckConstraint("eirp_w IS NULL OR eirp_w > 0", name="eirp"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    sector_no: Mapped[int] = mapped_column(SmallInteger)
    azimuth_deg: Mapped[float] = mapped_column(Float)
    tilt_deg: Mapped[float | None] = mapped_column(Float)
    eirp_w: Mapped[float | None] = mapped_column(Float)

    station: Mapped[Station] = relationship(back_populates="sectors")
