"""Exports of the station list: CSV and Excel in the import template's columns (so an export
imports back unchanged), GeoJSON built by PostGIS, and KML for Google Earth."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import FieldError, LimitExceeded, ValidationFailed
from registry.settings import Settings, get_settings
from registry.stations.queries import StationFilter, station_count, station_feature_collection, station_rows
from registry.stations.template import BY_KEY, COLUMNS, STATUS_LABELS
from registry.tabular import iter_csv, write_csv, write_xlsx
from registry.text import grouped


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str


FORMATS = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", "csv"),
    "xlsx": ExportFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "geojson": ExportFormat("geojson", "application/geo+json", "geojson"),
    "kml": ExportFormat("kml", "application/vnd.google-earth.kml+xml", "kml"),
}

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


def _cell(row: dict[str, Any], key: str) -> Any:
    if key == "crs":
        return 4326
    value = row.get(key)
    if key == "status" and value:
        return STATUS_LABELS.get(value, value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if hasattr(value, "is_finite"):  # Decimal from round(numeric)
        return float(value)
    return value


def table(rows: Iterable[dict[str, Any]]) -> tuple[list[str], Iterator[list[Any]]]:
    headers = [BY_KEY[k].header for k in EXPORT_KEYS] + [h for _, h in EXTRA]
    body = ([_cell(r, k) for k in EXPORT_KEYS] + [r.get(k) for k, _ in EXTRA] for r in rows)
    return headers, body


def _kml(rows: Iterable[dict[str, Any]], title: str) -> bytes:
    import simplekml

    kml = simplekml.Kml(name=title)
    folders: dict[str, Any] = {}
    for r in rows:
        operator = r["operator"] or "Khác"
        folder = folders.get(operator) or folders.setdefault(operator, kml.newfolder(name=operator))
        placemark = folder.newpoint(
            name=f"{r['station_code']} ({r['site_code']})", coords=[(float(r["lon"]), float(r["lat"]))]
        )
        lines = [
            (BY_KEY[k].header, _cell(r, k))
            for k in EXPORT_KEYS
            if k not in ("lon", "lat", "crs") and _cell(r, k) not in (None, "")
        ]
        placemark.description = (
            "<table>"
            + "".join(f"<tr><th align='left'>{escape(str(h))}</th><td>{escape(str(v))}</td></tr>" for h, v in lines)
            + "</table>"
        )
        # simplekml escapes names and descriptions but writes extended data as given.
        for key in ("operator", "technologies", "status"):
            placemark.extendeddata.newdata(name=key, value=escape(str(r.get(key) or ""), quote=False))
    return kml.kml().encode("utf-8")


def stream_stations(
    session: Session, *, filters: StationFilter, fmt: str, settings: Settings | None = None
) -> Iterator[bytes]:
    """The export in chunks: CSV row batches straight from a server-side cursor; the other formats
    (whose writers need the whole document) as one chunk."""
    settings = settings or get_settings()
    if fmt not in FORMATS:
        raise ValidationFailed(
            "Định dạng xuất không hỗ trợ", [FieldError("csv, xlsx, geojson hoặc kml", field="format")]
        )
    limit = settings.max_export_rows
    matched = station_count(session, filters)
    if matched > limit:
        # Never hand out a silently cut file: ask for narrower filters instead.
        raise LimitExceeded(
            f"Có {grouped(matched)} trạm khớp bộ lọc, mỗi lần xuất tối đa {grouped(limit)}; hãy thu hẹp bộ lọc",
            status=413,
            limit=limit,
            matched=matched,
        )
    if fmt == "geojson":
        yield station_feature_collection(session, filters, limit=limit).encode("utf-8")
        return
    rows = station_rows(session, filters, limit=limit)
    if fmt == "kml":
        yield _kml(rows, f"Trạm gốc — {settings.department_name}")
        return
    headers, body = table(rows)
    if fmt == "csv":
        yield from iter_csv(headers, body)
        return
    yield write_xlsx(headers, body, sheet="Trạm gốc")


def export_stations(session: Session, *, filters: StationFilter, fmt: str, settings: Settings | None = None) -> bytes:
    return b"".join(stream_stations(session, filters=filters, fmt=fmt, settings=settings))


def template_bytes(fmt: str) -> bytes:
    """The empty import template with one example row and, in Excel, a sheet explaining each column."""
    headers = [c.header for c in COLUMNS]
    example = [c.example for c in COLUMNS]
    if fmt == "csv":
        return write_csv(headers, [example])
    return write_xlsx(headers, [example], sheet="Trạm gốc", notes=[(c.header, c.meaning) for c in COLUMNS])
