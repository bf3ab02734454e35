"""What the routes of api/offline.py answer (see api.bodies)."""

from __future__ import annotations

from datetime import date

from api.bodies import Body


class Scope(Body):
    scope: str | None


class CommuneSaveListCommune(Body):
    code: str | None
    name: str | None


class CommuneSaveListSitesFeatureGeometry(Body):
    type: str
    coordinates: list[float]


class CommuneSaveListSitesFeaturePropertiesStation(Body):
    id: int
    operator: str
    operator_code: str
    site_code: str | None
    technologies: list[str]
    bands: list[str]
    status: str | None
    commissioning_date: date | str | None
    address: str | None
    commune: str | None
    pole_class: str | None
    pole_height_m: float | None
    distance_m: float | None
    station_code: str = None


class CommuneSaveListSitesFeatureProperties(Body):
    code: str | None
    address: str | None
    commune: str | None
    commune_code: str
    pole_class: str | None
    pole_height_m: float | None
    status: str | None
    operators: list[str]
    technologies: list[str]
    station_count: int
    distance_m: float | None
    stations: list[CommuneSaveListSitesFeaturePropertiesStation]
    building_height_m: float | None = None
    owner: str | None = None
    provenance: str | None = None
    source_crs: int = None
    permits: str = None


class CommuneSaveListSitesFeature(Body):
    type: str
    id: str
    geometry: CommuneSaveListSitesFeatureGeometry
    properties: CommuneSaveListSitesFeatureProperties


class CommuneSaveListSites(Body):
    type: str
    features: list[CommuneSaveListSitesFeature]


class CommuneSaveList(Body):
    commune: CommuneSaveListCommune
    scope: str | None
    saved_at: str
    stale_days: int
    count: int
    bbox: list[float]
    sites: CommuneSaveListSites
    pages: list[str]
    assets: list[str]
    tiles: list[str]
    tiles_saved: bool
