"""What the routes of api/zones.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies import Body
from api.bodies.common import IsoDate, RowError


class ImportFile(Body):
    features: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    errors: list[RowError]


class CreateZoneGeometry(Body):
    type: str
    coordinates: list[list[list[list[float]]]]


class CreateZoneProperties(Body):
    code: str | None
    name: str | None
    kind: str | None
    allowed_pole_classes: list[str] | None
    max_height_m: float | None
    urban: bool | None
    source_decision: str | None
    valid_from: IsoDate | None
    valid_to: IsoDate | None
    notes: str | None
    version: int
    area_km2: float
    spacing_rules: list[ListSpacingItem]


class CreateZone(Body):
    type: str
    id: str
    geometry: CreateZoneGeometry
    properties: CreateZoneProperties


class ListSpacingItem(Body):
    id: int
    zone_code: str | None
    pole_class: str | None
    height_above_m: float | None
    height_up_to_m: float | None
    urban: bool | None
    min_distance_m: float | None
    legal_basis: str | None
    effective_from: IsoDate | None
    effective_to: IsoDate | None
    version: int
