"""What the zones' API routes and back-office pages both show: a spacing rule as a record, the
exports of a set of zones as KML, and an import's errors as the rows of a table."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from registry.errors import FieldError
from registry.zones import queries, service
from registry.zones.importer import read_zone_features
from registry.zones.models import KIND_NAMES, SpacingRule, ZoneKind


def spacing_record(session: Session, rule: SpacingRule) -> dict[str, Any]:
    """A spacing rule as the API gives it (with its zone's code)."""
    code = None if rule.zone_id is None else queries.zone_code(session, rule.zone_id)
    return service.spacing_dict(rule, code)


def kind_name(kind: str | None) -> str | None:
    return KIND_NAMES.get(ZoneKind(kind), kind) if kind in ZoneKind.__members__ else kind


def zones_kml(collection: dict[str, Any], *, title: str) -> bytes:
    """Zones (a GeoJSON FeatureCollection of (Multi)Polygons) as KML: a Placemark per zone in a folder
    per kind, its fields as typed SchemaData under the names the import reads, so an exported file
    imports back (registry.zones.exporter, where every export format of zones is written)."""
    from registry.zones.exporter import zones_kml as write

    return write(collection["features"], title=title)


def import_problems(errors: list[FieldError], data: bytes, filename: str) -> list[dict[str, Any]]:
    """An import's refusals as table rows: the feature's number in the file and its code (as the
    file gives it), the property, the value given, and the message."""
    try:
        features = read_zone_features(data, filename)
    except Exception:  # noqa: BLE001 - a file that cannot be read has only file-level errors
        features = []
    out = []
    for e in errors:
        code = None
        if e.row is not None and 0 < e.row <= len(features):
            raw = features[e.row - 1][0].get("code")
            code = raw if isinstance(raw, str | int | float) else None
        value = e.value if isinstance(e.value, str | int | float | bool) or e.value is None else str(e.value)[:200]
        out.append({"row": e.row, "code": code, "column": e.column or e.field, "value": value, "message": e.message})
    return out
