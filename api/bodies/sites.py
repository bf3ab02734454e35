"""What the routes of api/sites.py answer (see api.bodies)."""

from __future__ import annotations

from typing import Any

from api.bodies import Body, Change


class GetSiteGeometry(Body):
    type: str
    coordinates: list[float]


class GetSitePropertiesSource(Body):
    crs: int | None
    x: float
    y: float
    provenance: str | None


class GetSitePropertiesStationSector(Body):
    sector_no: int
    azimuth_deg: float
    tilt_deg: float | None = None
    eirp_w: float | None = None
    compliance_distance_m: float | None


class GetSitePropertiesStation(Body):
    id: int
    station_code: str = None
    operator: str
    operator_code: str
    site_code: str | None
    technologies: list[str]
    bands: list[str]
    status: str | None
    commissioning_date: str | None
    equipment_model: str | None = None
    configuration: Any = None
    sectors: list[GetSitePropertiesStationSector]
    version: int = None
    created_at: str = None
    updated_at: str = None


class GetSitePropertiesCase(Body):
    code: str | None
    kind: str | None
    state: str
    subject: str | None
    received_on: str


class GetSiteProperties(Body):
    code: str | None
    address: str | None
    commune: str | None
    commune_code: str | None
    entered_admin_unit: str | None = None
    source: GetSitePropertiesSource = None
    pole_class: str | None
    pole_height_m: float | None
    building_height_m: float | None = None
    ground_elevation_m: float | None = None
    owner: str | None = None
    status: str | None
    notes: str | None = None
    stations: list[GetSitePropertiesStation]
    max_compliance_distance_m: float | None
    version: int = None
    created_at: str = None
    updated_at: str = None
    cases: list[GetSitePropertiesCase] = None


class GetSite(Body):
    type: str
    id: str
    geometry: GetSiteGeometry
    properties: GetSiteProperties


class SiteHistoryEventWordsSubject(Body):
    href: str
    label: str


class SiteHistoryEventWordsChange(Body):
    field: str | None
    label: str
    before: SiteHistoryEventWordsSubject | str | None
    after: SiteHistoryEventWordsSubject | str | None
    note: str | None


class SiteHistoryEventWords(Body):
    what: str
    subject: SiteHistoryEventWordsSubject | str
    actor: str
    changes: list[SiteHistoryEventWordsChange]


class SiteHistoryEvent(Body):
    id: int
    occurred_at: str
    actor: str
    request_id: str | None
    entity: str
    entity_id: str
    action: str
    changes: dict[str, Change]
    words: SiteHistoryEventWords


class SiteHistory(Body):
    total: int
    limit: int
    offset: int
    events: list[SiteHistoryEvent]


class CreateSiteProperties(Body):
    code: str | None
    address: str | None
    commune: str | None
    commune_code: str | None
    entered_admin_unit: str | None
    source: GetSitePropertiesSource
    pole_class: str | None
    pole_height_m: float | None
    building_height_m: float | None
    ground_elevation_m: float | None
    owner: str | None
    status: str | None
    notes: str | None
    stations: list[Any]
    max_compliance_distance_m: float | None
    version: int
    created_at: str
    updated_at: str


class CreateSite(Body):
    type: str
    id: str
    geometry: GetSiteGeometry
    properties: CreateSiteProperties


class UpdateSitePropertiesStationSector(Body):
    sector_no: int
    azimuth_deg: float
    tilt_deg: float | None
    eirp_w: float | None
    compliance_distance_m: float | None


class UpdateSitePropertiesStation(Body):
    id: int
    station_code: str
    operator: str
    operator_code: str
    site_code: str | None
    technologies: list[str]
    bands: list[str]
    status: str | None
    commissioning_date: str | None
    equipment_model: str | None
    configuration: Any
    sectors: list[UpdateSitePropertiesStationSector]
    version: int
    created_at: str
    updated_at: str


class UpdateSiteProperties(Body):
    code: str | None
    address: str | None
    commune: str | None
    commune_code: str | None
    entered_admin_unit: str | None
    source: GetSitePropertiesSource
    pole_class: str | None
    pole_height_m: float | None
    building_height_m: float | None
    ground_elevation_m: float | None
    owner: str | None
    status: str | None
    notes: str | None
    stations: list[UpdateSitePropertiesStation]
    max_compliance_distance_m: float | None
    version: int
    created_at: str
    updated_at: str


class UpdateSite(Body):
    type: str
    id: str
    geometry: GetSiteGeometry
    properties: UpdateSiteProperties
