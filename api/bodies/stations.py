"""What the routes of api/stations.py answer (see api.bodies)."""

from __future__ import annotations

from typing import Any

from api.bodies import Body, Change


class GetStationSector(Body):
    sector_no: int
    azimuth_deg: float
    tilt_deg: float | None = None
    eirp_w: float | None = None
    compliance_distance_m: float | None


class GetStation(Body):
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
    configuration: str | None = None
    sectors: list[GetStationSector]
    version: int = None
    created_at: str = None
    updated_at: str = None


class StationHistoryEventWordsChangeBefore(Body):
    href: str
    label: str


class StationHistoryEventWordsChange(Body):
    field: str | None
    label: str
    before: StationHistoryEventWordsChangeBefore | str | None
    after: StationHistoryEventWordsChangeBefore | str | None
    note: Any


class StationHistoryEventWords(Body):
    what: str
    subject: str | None
    actor: str
    changes: list[StationHistoryEventWordsChange]


class StationHistoryEvent(Body):
    id: int
    occurred_at: str
    actor: str
    request_id: str | None
    entity: str
    entity_id: str
    action: str
    changes: dict[str, Change]
    words: StationHistoryEventWords


class StationHistory(Body):
    total: int
    limit: int
    offset: int
    events: list[StationHistoryEvent]


class CreateStationSector(Body):
    sector_no: int
    azimuth_deg: float
    tilt_deg: float | None
    eirp_w: float | None
    compliance_distance_m: float | None


class CreateStation(Body):
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
    configuration: str | None
    sectors: list[CreateStationSector]
    version: int
    created_at: str
    updated_at: str
