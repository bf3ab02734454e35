"""GeoJSON (RFC 7946) as the lists answer it: a FeatureCollection of features built by PostGIS, with the
paging members of OGC API – Features (numberMatched, numberReturned, links). The routes pass PostGIS's
text through, so these models only describe it (api.docs puts FeatureCollection on every
application/geo+json answer that declares no schema of its own)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Geometry(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Point, Polygon, MultiPolygon …")
    coordinates: Any = None


class Feature(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["Feature"]
    id: str | int | None = None
    geometry: Geometry | None
    properties: dict[str, Any] | None


class Link(BaseModel):
    model_config = ConfigDict(extra="allow")

    rel: str
    href: str
    type: str | None = None


class FeatureCollection(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["FeatureCollection"]
    features: list[Feature]
    numberMatched: int | None = Field(default=None, description="Tổng số bản ghi khớp (bỏ trống khi vượt ngưỡng đếm)")
    numberReturned: int | None = None
    links: list[Link] | None = Field(default=None, description="Liên kết self, next, prev")
