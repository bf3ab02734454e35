"""What the routes of api/stations.py answer: a base station with its sectors
(registry.stations.views.station_dict). The public reads the public fields only (PUBLIC_FIELDS): the
staff fields are optional here, and a sector shows the public its number, azimuth and safety distance."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.bodies import Body


class Sector(Body):
    sector_no: int
    azimuth_deg: float
    tilt_deg: float | None = Field(default=None, description="Chỉ cán bộ")
    eirp_w: float | None = Field(default=None, description="Chỉ cán bộ")
    compliance_distance_m: float | None = Field(description="Khoảng cách an toàn theo EIRP và giới hạn phơi nhiễm")


class Station(Body):
    id: int
    station_code: str | None = Field(default=None, description="Chỉ cán bộ")
    operator: str
    operator_code: str
    site_code: str
    technologies: list[str]
    bands: list[str]
    status: str
    commissioning_date: str | None
    equipment_model: str | None = Field(default=None, description="Chỉ cán bộ")
    configuration: Any = Field(default=None, description="Chỉ cán bộ")
    sectors: list[Sector]
    version: int | None = Field(default=None, description="Chỉ cán bộ (cũng là ETag)")
    created_at: str | None = None
    updated_at: str | None = None
