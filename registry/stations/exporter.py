"""Exports of the station and site lists, with the lists' filters, in five formats carrying the same
fields (those the caller's role may read, registry.accounts.permissions.visible_fields):

- CSV and Excel: the station export in the import template's columns, so an export imports back
  unchanged; the site export in the same columns as its GIS files.
- GeoJSON, KML (typed SchemaData, a shared style per status, a folder per operator or commune) and
  GeoPackage (typed columns, WGS 84 or a VN-2000 CRS): registry.geofiles.

Every format is bounded by TTTT_MAX_EXPORT_ROWS: a filter matching more is refused (413), never cut.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.errors import FieldError, ValidationFailed
from registry.geofiles import (
    GIS_FORMATS,
    MEDIA_TYPES,
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
from registry.stations.queries import StationFilter, site_count, site_where, station_count, station_rows
from registry.stations.template import BY_KEY, COLUMNS, STATUS_LABELS
from registry.tabular import write_csv, write_xlsx


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str


FORMATS = {name: ExportFormat(name, MEDIA_TYPES[name], name) for name in ("csv", "xlsx", "geojson", "kml", "gpkg")}
FORMAT_WORDS = "csv, xlsx, geojson, kml hoặc gpkg"

# Export columns: the template's, minus the plane-coordinate pair (exports carry WGS 84) and the
# sector lists (one row per station keeps the sheet readable), plus the source coordinates.
EXPORT_KEYS = (
    "station_code",
    "operator",
    "site_code",
    "address",
    "commune",
    "lon",
    "lat",
    "crs",
    "provenance",
    "pole_class",
    "pole_height_m",
    "building_height_m",
    "technologies",
    "bands",
    "status",
    "commissioning_date",
    "owner",
)
EXTRA = (
    ("source_crs", "Hệ tọa độ gốc"),
    ("source_x", "Tọa độ gốc x (kinh độ/Đông)"),
    ("source_y", "Tọa độ gốc y (vĩ độ/Bắc)"),
)
_KINDS: dict[str, Any] = {
    "technologies": "strings",
    "bands": "strings",
    "lon": "double",
    "lat": "double",
    "crs": "int",
    "pole_height_m": "double",
    "building_height_m": "double",
    "commissioning_date": "date",
    "source_crs": "int",
    "source_x": "double",
    "source_y": "double",
}
# The position is public (the map shows it): lon, lat and the CRS they are in go to every reader.
POSITION = ("lon", "lat", "crs")

# Shared KML styles by status (KML colours are aabbggrr).
STATUS_STYLES = {
    "operating": Style("ff2ca02c", STATUS_LABELS["operating"]),
    "planned": Style("ffb4771f", STATUS_LABELS["planned"]),
    "under_construction": Style("ffbd6794", STATUS_LABELS["under_construction"]),
    "suspended": Style("ff0e7fff", STATUS_LABELS["suspended"]),
    "dismantled": Style("ff7f7f7f", STATUS_LABELS["dismantled"]),
}

STATION_LAYER = Layer(
    name="tram_goc",
    title="Trạm gốc",
    geometry="Point",
    fields=tuple(Field(k, _KINDS.get(k, "string"), BY_KEY[k].header) for k in EXPORT_KEYS)
    + tuple(Field(k, _KINDS[k], h) for k, h in EXTRA),
    styles=STATUS_STYLES,
)

SITE_LAYER = Layer(
    name="vi_tri_cot",
    title="Vị trí cột ăng ten",
    geometry="Point",
    fields=(
        Field("code", "string", "Mã vị trí"),
        Field("address", "string", "Địa chỉ"),
        Field("commune", "string", "Xã/phường"),
        Field("commune_code", "string", "Mã xã/phường"),
        Field("lon", "double", "Kinh độ"),
        Field("lat", "double", "Vĩ độ"),
        Field("crs", "int", "Hệ tọa độ"),
        Field("pole_class", "string", "Loại cột"),
        Field("pole_height_m", "double", "Chiều cao cột (m)"),
        Field("building_height_m", "double", "Chiều cao công trình (m)"),
        Field("status", "string", "Trạng thái"),
        Field("operators", "strings", "Doanh nghiệp"),
        Field("technologies", "strings", "Công nghệ"),
        Field("station_count", "int", "Số trạm"),
        Field("owner", "string", "Chủ sở hữu"),
        Field("provenance", "string", "Nguồn tọa độ"),
        Field("source_crs", "int", "Hệ tọa độ gốc"),
        Field("source_x", "double", "Tọa độ gốc x (kinh độ/Đông)"),
        Field("source_y", "double", "Tọa độ gốc y (vĩ độ/Bắc)"),
    ),
    styles={k: v for k, v in STATUS_STYLES.items() if k != "suspended"},
)


def _format(fmt: str) -> ExportFormat:
    if fmt not in FORMATS:
        raise ValidationFailed("Định dạng xuất không hỗ trợ", [FieldError(FORMAT_WORDS, field="format")])
    return FORMATS[fmt]


def _point(row: dict[str, Any]) -> Any:
    import shapely

    return shapely.Point(float(row["lon"]), float(row["lat"]))


# --- stations ------------------------------------------------------------------------------------


def station_layer(fields: Collection[str] | None = None) -> Layer:
    """The station layer with the fields a reader may see (``fields``: visible_fields; None: all)."""
    return STATION_LAYER.only(fields, always=POSITION)


def _sheet_cell(field: Field, row: dict[str, Any]) -> Any:
    """A station's or site's value as the import template writes it: positions in WGS 84, the status in
    words, dates dd/mm/yyyy, lists comma-joined, numbers as numbers."""
    if field.key == "crs":
        return 4326
    value = row.get(field.key)
    if field.key == "status" and value:
        return STATUS_LABELS.get(value, value)
    return spreadsheet_value(field.kind, value)


def table(rows: Iterable[dict[str, Any]], layer: Layer = STATION_LAYER) -> tuple[list[str], Iterator[list[Any]]]:
    """The rows as a sheet of ``layer``'s fields: the template's headers for stations (so the export
    imports back), values as the template writes them."""
    headers = [f.title for f in layer.fields]
    body = ([_sheet_cell(f, r) for f in layer.fields] for r in rows)
    return headers, body


def _values(row: dict[str, Any], layer: Layer) -> dict[str, Any]:
    """A station's or site's values for ``layer``: positions in WGS 84, numbers as numbers."""
    values = {k: row.get(k) for k in layer.keys}
    values["crs"] = 4326
    for key in ("lon", "lat", "pole_height_m", "building_height_m", "source_x", "source_y"):
        if key in values:
            values[key] = number(values[key])
    return values


def station_record(row: dict[str, Any], layer: Layer) -> Record:
    values = _values(row, layer)
    shown_code = "station_code" in layer.keys
    label = f"{row['station_code'] if shown_code else row['operator']} ({row['site_code']})"
    return Record(
        id=row.get("id"),
        label=label,
        values=values,
        geometry=_point(row),
        group=row.get("operator") or "Khác",
        style=row.get("status"),
    )


def stream_stations(
    session: Session,
    *,
    filters: StationFilter,
    fmt: str,
    settings: Settings | None = None,
    fields: Collection[str] | None = None,
    crs: str | None = None,
) -> Iterator[bytes]:
    """The export in chunks: CSV and GeoJSON in row batches and KML in placemark batches straight
    from a server-side cursor; Excel and GeoPackage (whose writers keep a file) once written.
    ``fields``: what the caller may read (None: every field); ``crs``: the GeoPackage's CRS."""
    settings = settings or get_settings()
    _format(fmt)
    epsg = parse_crs(crs)
    check_crs(fmt, epsg)
    limit = settings.max_export_rows
    bounded(station_count(session, filters), limit, "trạm")
    layer = station_layer(fields)
    rows: Iterable[dict[str, Any]] = station_rows(session, filters, limit=limit)
    if fmt in GIS_FORMATS:
        if fmt == "kml" and filters.near is not None:
            # Nearest first is no order for folders by operator: these (a radius's worth) are sorted.
            rows = sorted(rows, key=lambda r: r.get("operator") or "")
        yield from gis_chunks(fmt, layer, (station_record(r, layer) for r in rows), epsg=epsg)
        return
    headers, body = table(rows, layer)
    yield from sheet_chunks(fmt, headers, body, sheet="Trạm gốc")


def export_stations(
    session: Session,
    *,
    filters: StationFilter,
    fmt: str,
    settings: Settings | None = None,
    fields: Collection[str] | None = None,
    crs: str | None = None,
) -> bytes:
    return b"".join(stream_stations(session, filters=filters, fmt=fmt, settings=settings, fields=fields, crs=crs))


def _kml(rows: Iterable[dict[str, Any]], title: str = "Trạm gốc") -> bytes:
    """Station rows (station_rows' keys) as a KML document, every field."""
    from dataclasses import replace

    layer = replace(STATION_LAYER, title=title)
    return b"".join(gis_chunks("kml", layer, (station_record(r, layer) for r in rows), epsg=4326))


# --- sites ---------------------------------------------------------------------------------------


def site_layer(fields: Collection[str] | None = None) -> Layer:
    return SITE_LAYER.only(fields, always=POSITION)


def site_rows(session: Session, f: StationFilter, *, limit: int) -> Iterator[dict[str, Any]]:
    """One flat dict per site matching ``f`` (the site list's filters), by commune then code, from a
    server-side cursor. The operators, technologies and count are the site row's (migration 0020)."""
    w = site_where(f)
    sql = f"""
        SELECT s.code, s.address, a.name AS commune, a.code AS commune_code,
               round(CAST(ST_X(s.geom) AS numeric), 7) AS lon, round(CAST(ST_Y(s.geom) AS numeric), 7) AS lat,
               s.pole_class, s.pole_height_m, s.building_height_m, s.status,
               s.operators, s.technologies, s.station_count,
               ow.short_name AS owner, s.provenance, s.source_crs, s.source_x, s.source_y
        FROM site s
        LEFT JOIN admin_unit a ON a.id = s.admin_unit_id
        LEFT JOIN organisation ow ON ow.id = s.owner_id
        WHERE {w.sql()}
        ORDER BY a.name NULLS LAST, s.code
        LIMIT :limit"""
    stmt = text(sql).execution_options(stream_results=True, max_row_buffer=2000)
    for row in session.execute(stmt, dict(w.params, limit=limit)).mappings():
        yield dict(row)


def site_record(row: dict[str, Any], layer: Layer) -> Record:
    values = _values(row, layer)
    return Record(
        id=row["code"],
        label=row["code"],
        values=values,
        geometry=_point(row),
        group=row.get("commune") or "Chưa xác định xã/phường",
        style=row.get("status"),
    )


def stream_sites(
    session: Session,
    *,
    filters: StationFilter,
    fmt: str,
    settings: Settings | None = None,
    fields: Collection[str] | None = None,
    crs: str | None = None,
) -> Iterator[bytes]:
    """The site list's export, as stream_stations."""
    settings = settings or get_settings()
    _format(fmt)
    epsg = parse_crs(crs)
    check_crs(fmt, epsg)
    limit = settings.max_export_rows
    bounded(site_count(session, filters), limit, "vị trí")
    layer = site_layer(fields)
    rows = site_rows(session, filters, limit=limit)
    if fmt in GIS_FORMATS:
        yield from gis_chunks(fmt, layer, (site_record(r, layer) for r in rows), epsg=epsg)
        return
    headers, body = table(rows, layer)
    yield from sheet_chunks(fmt, headers, body, sheet="Vị trí cột ăng ten")


# --- the import template -------------------------------------------------------------------------


def template_bytes(fmt: str) -> bytes:
    """The empty import template with one example row and, in Excel, a sheet explaining each column."""
    headers = [c.header for c in COLUMNS]
    example = [c.example for c in COLUMNS]
    if fmt == "csv":
        return write_csv(headers, [example])
    return write_xlsx(headers, [example], sheet="Trạm gốc", notes=[(c.header, c.meaning) for c in COLUMNS])
