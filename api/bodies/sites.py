"""What the routes of api/sites.py answer: a site as a GeoJSON Feature with its stations
(registry.stations.views.site_feature / site_record). The public reads the public fields only
(PUBLIC_FIELDS): the staff fields are optional here; staff also get the cases about the site."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.bodies import Body
from api.bodies.common import CaseAbout
from api.bodies.stations import Station


class Point(Body):
    type: Literal["Point"]
    coordinates: list[float] = Field(description="Kinh độ, vĩ độ (WGS 84)")


class Source(Body):
    """Tọa độ như đã nhập: hệ tọa độ (mã EPSG) và giá trị."""

    crs: int | None
    x: float | None
    y: float | None
    provenance: str | None


class SiteProperties(Body):
    code: str
    address: str | None
    commune: str | None
    commune_code: str | None
    entered_admin_unit: str | None = Field(default=None, description="Chỉ cán bộ")
    source: Source | None = Field(default=None, description="Chỉ cán bộ")
    pole_class: str | None
    pole_height_m: float | None
    building_height_m: float | None = Field(default=None, description="Chỉ cán bộ")
    ground_elevation_m: float | None = Field(default=None, description="Chỉ cán bộ")
    owner: str | None = Field(default=None, description="Chỉ cán bộ")
    status: str
    notes: str | None = Field(default=None, description="Chỉ cán bộ")
    stations: list[Station]
    max_compliance_distance_m: float | None
    version: int | None = Field(default=None, description="Chỉ cán bộ (cũng là ETag)")
    created_at: str | None = None
    updated_at: str | None = None
    cases: list[CaseAbout] | None = Field(default=None, description="Chỉ cán bộ, khi đọc: các vụ việc liên quan vị trí")


class SiteFeature(Body):
    type: Literal["Feature"]
    id: str
    geometry: Point
    properties: SiteProperties
