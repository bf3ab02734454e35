"""Exports of planning zones in csv, xlsx, geojson, kml and gpkg with the same fields (zones are public
planning documents: every reader sees every field, as GET /api/zones answers). The KML and GeoJSON
import back (registry.zones.importer reads the fields by the same names)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.errors import FieldError, ValidationFailed
from registry.geofiles import (
    GIS_FORMATS,
    Field,
    Layer,
    Record,
    Style,
    bounded,
    check_crs,
    gis_chunks,
    number,
    parse_crs,
    sheet_chunks,
    spreadsheet_value,
)
from registry.settings import Settings, get_settings
from registry.zones.models import KIND_NAMES, ZoneKind

# KML colours (aabbggrr) by kind: the strictest zones stand out.
_KIND_COLOURS = {
    ZoneKind.a1_only: "ff2827d6",
    ZoneKind.height_limited: "ff0e7fff",
    ZoneKind.airport: "ffbd6794",
    ZoneKind.urban: "ffb4771f",
    ZoneKind.rural: "ff2ca02c",
    ZoneKind.general: "ff7f7f7f",
}

ZONE_LAYER = Layer(
    name="vung_quy_hoach",
    title="Vùng quy hoạch hạ tầng viễn thông",
    geometry="MultiPolygon",
    fields=(
        Field("code", "string", "Mã vùng"),
        Field("name", "string", "Tên vùng"),
        Field("kind", "string", "Loại vùng"),
        Field("allowed_pole_classes", "string", "Loại cột được lắp"),
        Field("max_height_m", "double", "Chiều cao tối đa (m)"),
        Field("urban", "bool", "Đô thị"),
        Field("source_decision", "string", "Căn cứ pháp lý"),
        Field("valid_from", "date", "Hiệu lực từ ngày"),
        Field("valid_to", "date", "Hết hiệu lực từ ngày"),
        Field("notes", "string", "Ghi chú"),
        Field("area_km2", "double", "Diện tích (km²)"),
    ),
    styles={k.value: Style(c, KIND_NAMES[k]) for k, c in _KIND_COLOURS.items()},
)


def zone_rows(
    session: Session, *, on: date | None = None, kind: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The zones (in force on ``on``, of ``kind``) as flat rows with their geometry (WKB), by kind
    then code, so that each kind's KML folder is written in one go."""
    rows = session.execute(
        text(
            """
        SELECT z.code, z.name, z.kind, array_to_string(z.allowed_pole_classes, ', ') AS allowed_pole_classes,
               z.max_height_m, z.urban, z.source_decision, z.valid_from, z.valid_to, z.notes,
               round(CAST(ST_Area(z.geom::geography) / 1e6 AS numeric), 3) AS area_km2,
               ST_AsBinary(z.geom) AS wkb
        FROM planning_zone z
        WHERE (CAST(:on AS date) IS NULL OR ((z.valid_from IS NULL OR z.valid_from <= :on)
               AND (z.valid_to IS NULL OR z.valid_to > :on)))
          AND (CAST(:kind AS text) IS NULL OR z.kind = :kind)
        ORDER BY z.kind, z.code
        LIMIT :limit"""
        ),
        {"on": on, "kind": kind, "limit": limit},
    ).mappings()
    return [dict(r) for r in rows]


def zone_count(session: Session, *, on: date | None = None, kind: str | None = None) -> int:
    return int(
        session.execute(
            text(
                """
        SELECT count(*) FROM planning_zone z
        WHERE (CAST(:on AS date) IS NULL OR ((z.valid_from IS NULL OR z.valid_from <= :on)
               AND (z.valid_to IS NULL OR z.valid_to > :on)))
          AND (CAST(:kind AS text) IS NULL OR z.kind = :kind)"""
            ),
            {"on": on, "kind": kind},
        ).scalar_one()
    )


def zone_record(row: dict[str, Any], layer: Layer = ZONE_LAYER) -> Record:
    import shapely

    values = {k: row.get(k) for k in layer.keys}
    for key in ("max_height_m", "area_km2"):
        values[key] = number(values.get(key))
    wkb = row.get("wkb")
    kind = row.get("kind")
    return Record(
        id=row["code"],
        label=row.get("name") or row["code"],
        values=values,
        geometry=None if wkb is None else shapely.from_wkb(bytes(wkb)),
        group=KIND_NAMES.get(ZoneKind(kind), kind) if kind in ZoneKind.__members__ else kind,
        style=kind,
    )


def _record_from_feature(feature: dict[str, Any]) -> Record:
    from shapely.geometry import shape

    p = feature["properties"]
    row = {**p, "allowed_pole_classes": ", ".join(p.get("allowed_pole_classes") or []) or None}
    record = zone_record(row)
    geometry = feature.get("geometry")
    return replace(record, geometry=shape(geometry) if geometry else None)


def zones_kml(features: Iterable[dict[str, Any]], *, title: str) -> bytes:
    """GeoJSON features of zones (registry.zones.queries.zone_features) as KML, every field typed;
    sorted by kind for the folders."""
    layer = replace(ZONE_LAYER, title=title)
    records = sorted((_record_from_feature(f) for f in features), key=lambda r: (r.style or "", str(r.id)))
    return b"".join(gis_chunks("kml", layer, records, epsg=4326))


def stream_zones(
    session: Session,
    *,
    fmt: str,
    on: date | None = None,
    kind: str | None = None,
    settings: Settings | None = None,
    crs: str | None = None,
) -> Iterator[bytes]:
    """The zones' export in chunks (refusals raised at the first chunk)."""
    settings = settings or get_settings()
    if fmt not in (*GIS_FORMATS, "csv", "xlsx"):
        raise ValidationFailed(
            "Định dạng xuất không hỗ trợ", [FieldError("csv, xlsx, geojson, kml hoặc gpkg", field="format")]
        )
    epsg = parse_crs(crs)
    check_crs(fmt, epsg)
    limit = settings.max_export_rows
    bounded(zone_count(session, on=on, kind=kind), limit, "vùng")
    rows = zone_rows(session, on=on, kind=kind, limit=limit)
    if fmt in GIS_FORMATS:
        yield from gis_chunks(fmt, ZONE_LAYER, (zone_record(r) for r in rows), epsg=epsg)
        return
    headers = [f.title for f in ZONE_LAYER.fields]
    body = ([spreadsheet_value(f.kind, r.get(f.key)) for f in ZONE_LAYER.fields] for r in rows)
    yield from sheet_chunks(fmt, headers, body, sheet="Vùng quy hoạch")
