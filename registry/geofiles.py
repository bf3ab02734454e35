"""Typed GIS files of one layer of records: GeoJSON, KML and GeoPackage with the same fields.

Each area's exporter describes its layer once (``Layer``: the fields, each with a type and a
Vietnamese title) and gives its records (``Record``: values by field key, a WGS 84 shapely geometry,
the folder and style the record goes in). The writers here turn that into:

- GeoJSON (RFC 7946, WGS 84), streamed feature by feature; numbers are JSON numbers, dates ISO
  8601 strings.
- KML 2.2 with one ``<Schema>`` of typed ``SimpleField``s and ``SchemaData`` per Placemark (GDAL's
  LIBKML driver and Google Earth read the fields with their types), one shared ``Style`` per style
  key referenced by ``styleUrl``, and a ``Folder`` per group. KML has no date type (its
  SimpleField types are string, int, uint, short, ushort, float, double and bool): dates are ISO
  8601 strings, as GDAL writes them. The document is written by lxml's incremental writer (lxml
  is fastkml's XML engine; fastkml reads KML in the zone import): every text and attribute is
  escaped by lxml, and the placemarks stream out without a tree of the whole document in memory.
- GeoPackage written by GDAL through pyogrio (typed columns: Integer, Real, String, Boolean,
  Date), in batches appended to a temporary file that is then streamed and removed. WGS 84 by
  default; a VN-2000 CRS (geo.crs.SUPPORTED_EPSG) on request, the coordinates transformed by
  geo.crs with the project's EPSG:6960 parameters and the layer's CRS written with the same
  parameters as TOWGS84, so GIS software transforms back along the same path.

Values are data in every one of these formats: nothing is evaluated, and the spreadsheet rule
(formula prefixes, registry.tabular) is not needed here.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from registry.errors import FieldError, LimitExceeded, ValidationFailed
from registry.tabular import iter_csv, write_xlsx
from registry.text import grouped

Kind = Literal["int", "double", "string", "strings", "bool", "date"]  # strings: a list of words
GeometryKind = Literal["Point", "MultiPolygon"]

KML_NS = "http://www.opengis.net/kml/2.2"
GPKG_MEDIA_TYPE = "application/geopackage+sqlite3"
KML_MEDIA_TYPE = "application/vnd.google-earth.kml+xml"
GEOJSON_MEDIA_TYPE = "application/geo+json"
# Every export format's media type (the spreadsheets' too: the export routes answer all five).
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": GEOJSON_MEDIA_TYPE,
    "kml": KML_MEDIA_TYPE,
    "gpkg": GPKG_MEDIA_TYPE,
}
# KML 2.2's SimpleField types for ours (a date is a string there, see the module's docstring).
_KML_TYPES = {"int": "int", "double": "double", "string": "string", "strings": "string", "bool": "bool",
              "date": "string"}  # fmt: skip


@dataclass(frozen=True)
class Field:
    key: str
    kind: Kind
    title: str


@dataclass(frozen=True)
class Style:
    """A shared KML style: ``color`` in KML's aabbggrr hex; points get an IconStyle, polygons a
    LineStyle and a half-transparent PolyStyle of the same colour."""

    color: str
    title: str = ""


@dataclass(frozen=True)
class Layer:
    name: str  # the GeoPackage table and KML Schema id: ASCII, stable
    title: str  # what a person reads (document name, GeoPackage identifier)
    fields: tuple[Field, ...]
    geometry: GeometryKind
    styles: dict[str, Style] = field(default_factory=dict)

    def only(self, visible: Collection[str] | None, *, always: Collection[str] = ()) -> Layer:
        """The layer with the fields ``visible`` names (None: every field) and those in ``always``."""
        if visible is None:
            return self
        return replace(self, fields=tuple(f for f in self.fields if f.key in visible or f.key in always))

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]


@dataclass(frozen=True)
class Record:
    id: str | int | None  # None: the feature has no id
    label: str
    values: dict[str, Any]
    geometry: Any  # a shapely geometry in WGS 84 (lon, lat), or None
    group: str | None = None
    style: str | None = None


# --- values --------------------------------------------------------------------------------------


def typed(kind: Kind, value: Any) -> Any:
    """``value`` as a Python value of ``kind`` (None stays None): what GeoJSON and GeoPackage hold."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind == "int":
        return int(value)
    if kind == "double":
        return float(value)
    if kind == "bool":
        return bool(value)
    if kind == "strings":  # a list in GeoJSON; joined by commas where the format has no lists
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return [w.strip() for w in str(value).split(",") if w.strip()]
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        return date.fromisoformat(str(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _json_value(kind: Kind, value: Any) -> Any:
    v = typed(kind, value)
    return v.isoformat() if isinstance(v, date) else v


def _joined(words: list[str]) -> str | None:
    return ",".join(words) or None


def _kml_text(kind: Kind, value: Any) -> str | None:
    v = typed(kind, value)
    if v is None:
        return None
    if kind == "strings":
        return _joined(v)
    if kind == "bool":
        return "1" if v else "0"
    if kind == "double":
        return repr(v)
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def spreadsheet_value(kind: Kind, value: Any) -> Any:
    """A value as a CSV/Excel cell shows it: dates dd/mm/yyyy, yes/no in words, numbers as numbers."""
    v = typed(kind, value)
    if kind == "strings" and v is not None:
        return _joined(v)
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, bool):
        return "có" if v else "không"
    return v


def number(value: Any) -> float | None:
    """A numeric column's value (Decimal from round(numeric)) as a float."""
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | int | float) else float(str(value))


# --- CRS -----------------------------------------------------------------------------------------


def parse_crs(raw: str | None) -> int:
    """The EPSG code of a ``crs`` parameter: "EPSG:9210", "9210" or the OGC URI
    "http://www.opengis.net/def/crs/EPSG/0/9210"; WGS 84 when absent. Only geo.crs.SUPPORTED_EPSG."""
    from geo.crs import SUPPORTED_EPSG, WGS84_EPSG

    if raw is None or not raw.strip():
        return WGS84_EPSG
    text = raw.strip()
    for prefix in ("http://www.opengis.net/def/crs/EPSG/0/", "https://www.opengis.net/def/crs/EPSG/0/", "EPSG:"):
        if text.upper().startswith(prefix.upper()):
            text = text[len(prefix) :]
            break
    if text.upper() in ("CRS84", "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84"):
        return WGS84_EPSG
    code = int(text) if text.isdigit() and len(text) <= 6 else None
    if code is None or code not in SUPPORTED_EPSG:
        allowed = ", ".join(f"EPSG:{c}" for c in sorted(SUPPORTED_EPSG))
        raise ValidationFailed(
            "Hệ tọa độ không được hỗ trợ",
            [FieldError(f"Chỉ nhận {allowed}", field="crs", value=raw[:80])],
        )
    return code


def check_crs(fmt: str, epsg: int) -> None:
    """Only a GeoPackage carries another CRS: GeoJSON (RFC 7946) and KML are WGS 84 by definition,
    and the spreadsheets give longitude and latitude."""
    from geo.crs import WGS84_EPSG

    if epsg != WGS84_EPSG and fmt != "gpkg":
        raise ValidationFailed(
            "Hệ tọa độ chỉ chọn được cho GeoPackage",
            [FieldError(f"Định dạng {fmt} luôn dùng WGS 84 (EPSG:4326); hãy bỏ crs hoặc chọn gpkg", field="crs")],
        )


def _projector(epsg: int) -> Callable[[Any], Any] | None:
    """A function of an (N, 2) array of lon/lat to ``epsg``'s x/y, through geo.crs (EPSG:6960)."""
    from geo.crs import WGS84_EPSG, from_wgs84_many

    if epsg == WGS84_EPSG:
        return None

    def project(coords: Any) -> Any:
        import numpy as np

        x, y = from_wgs84_many(epsg, coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return project


def crs_definition(epsg: int) -> str:
    """The CRS a GeoPackage layer declares: EPSG:4326, or the VN-2000 CRS as WKT with the
    project's TOWGS84 (EPSG:6960), the same text PostGIS's spatial_ref_sys holds."""
    from geo.crs import WGS84_EPSG, spatial_ref_sys_rows

    if epsg == WGS84_EPSG:
        return "EPSG:4326"
    return spatial_ref_sys_rows([epsg])[0][3]


# --- GeoJSON -------------------------------------------------------------------------------------


def geojson_chunks(layer: Layer, records: Iterable[Record], *, batch: int = 500) -> Iterator[bytes]:
    """A FeatureCollection in chunks of ``batch`` features."""
    from shapely.geometry import mapping

    yield ('{"type": "FeatureCollection", "name": ' + json.dumps(layer.name) + ', "features": [').encode()
    parts: list[str] = []
    first = True
    for r in records:
        feature: dict[str, Any] = {"type": "Feature"}
        if r.id is not None:
            feature["id"] = r.id
        feature |= {
            "geometry": None if r.geometry is None else mapping(r.geometry),
            "properties": {f.key: _json_value(f.kind, r.values.get(f.key)) for f in layer.fields},
        }
        parts.append(("" if first else ", ") + json.dumps(feature, ensure_ascii=False))
        first = False
        if len(parts) >= batch:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("]}")
    yield "".join(parts).encode("utf-8")


# --- KML -----------------------------------------------------------------------------------------


def _q(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _text(xf: Any, tag: str, value: str, **attrib: str) -> None:
    with xf.element(_q(tag), attrib):
        xf.write(_xml_safe(value))


def _kml_style(xf: Any, style_id: str, style: Style, geometry: GeometryKind) -> None:
    with xf.element(_q("Style"), id=style_id):
        if geometry == "Point":
            with xf.element(_q("IconStyle")):
                _text(xf, "color", style.color)
                _text(xf, "scale", "0.8")
        else:
            with xf.element(_q("LineStyle")):
                _text(xf, "color", style.color)
                _text(xf, "width", "2")
            with xf.element(_q("PolyStyle")):
                _text(xf, "color", "66" + style.color[2:])


def _coords(seq: Any) -> str:
    return " ".join(f"{x!r},{y!r}" for x, y, *_ in seq)


def _kml_geometry(xf: Any, geometry: Any) -> None:
    if geometry is None or geometry.is_empty:
        return
    kind = geometry.geom_type
    if kind == "Point":
        with xf.element(_q("Point")):
            _text(xf, "coordinates", f"{geometry.x!r},{geometry.y!r}")
        return
    polygons = list(geometry.geoms) if kind == "MultiPolygon" else [geometry]
    if len(polygons) == 1:
        _kml_polygon(xf, polygons[0])
        return
    with xf.element(_q("MultiGeometry")):
        for polygon in polygons:
            _kml_polygon(xf, polygon)


def _kml_polygon(xf: Any, polygon: Any) -> None:
    with xf.element(_q("Polygon")):
        for boundary, rings in (("outerBoundaryIs", [polygon.exterior]), ("innerBoundaryIs", polygon.interiors)):
            for ring in rings:
                with xf.element(_q(boundary)), xf.element(_q("LinearRing")):
                    _text(xf, "coordinates", _coords(ring.coords))


def kml_chunks(layer: Layer, records: Iterable[Record], *, batch: int = 500) -> Iterator[bytes]:
    """The KML document in chunks of ``batch`` placemarks. Records of one group must come together
    (a group that comes back after another raises ValueError: sort them first)."""
    from lxml import etree

    out = io.BytesIO()

    def take() -> bytes:
        data = out.getvalue()
        out.seek(0)
        out.truncate()
        return data

    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(_q("kml"), nsmap={None: KML_NS}), xf.element(_q("Document"), id=layer.name):
            _text(xf, "name", layer.title)
            for key, style in layer.styles.items():
                _kml_style(xf, f"style-{key}", style, layer.geometry)
            with xf.element(_q("Schema"), name=layer.name, id=layer.name):
                for f in layer.fields:
                    with xf.element(_q("SimpleField"), name=f.key, type=_KML_TYPES[f.kind]):
                        _text(xf, "displayName", f.title)
            xf.flush()
            yield take()
            seen: set[str | None] = set()
            current: str | None = None
            folder: Any = None
            count = 0
            try:
                for r in records:
                    if folder is None or r.group != current:
                        if r.group in seen:
                            raise ValueError(f"records of group {r.group!r} are not together")
                        if folder is not None:
                            folder.__exit__(None, None, None)
                        seen.add(r.group)
                        current = r.group
                        folder = xf.element(_q("Folder"))
                        folder.__enter__()
                        _text(xf, "name", r.group or layer.title)
                    _placemark(xf, layer, r)
                    count += 1
                    if count % batch == 0:
                        xf.flush()
                        yield take()
            finally:
                if folder is not None:
                    folder.__exit__(None, None, None)
    yield take()


def _placemark(xf: Any, layer: Layer, r: Record) -> None:
    with xf.element(_q("Placemark")):
        _text(xf, "name", r.label)
        if r.style is not None and r.style in layer.styles:
            _text(xf, "styleUrl", f"#style-{r.style}")
        with xf.element(_q("ExtendedData")), xf.element(_q("SchemaData"), schemaUrl=f"#{layer.name}"):
            for f in layer.fields:
                value = _kml_text(f.kind, r.values.get(f.key))
                if value is not None:
                    _text(xf, "SimpleData", value, name=f.key)
        _kml_geometry(xf, r.geometry)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold most control characters, U+FFFE or U+FFFF at all (not even escaped):
    they are dropped; everything else is kept and escaped by lxml."""
    return _NOT_XML.sub("", text)


# --- GeoPackage ----------------------------------------------------------------------------------


def _columns(layer: Layer, rows: Sequence[Record]) -> tuple[list[Any], list[Any]]:
    """pyogrio's field arrays and null masks for one batch."""
    import numpy as np

    data: list[Any] = []
    masks: list[Any] = []
    for f in layer.fields:
        values = [typed(f.kind, r.values.get(f.key)) for r in rows]
        if f.kind == "strings":  # GeoPackage has no list type
            values = [None if v is None else _joined(v) for v in values]
        missing = np.array([v is None for v in values], dtype=bool)
        if f.kind == "int":
            data.append(np.array([0 if v is None else v for v in values], dtype=np.int32))
            masks.append(missing)
        elif f.kind == "double":
            data.append(np.array([np.nan if v is None else v for v in values], dtype=np.float64))
            masks.append(None)  # NaN is null (nan_as_null)
        elif f.kind == "bool":
            data.append(np.array([bool(v) for v in values], dtype=bool))
            masks.append(missing)
        elif f.kind == "date":
            data.append(np.array(["NaT" if v is None else v.isoformat() for v in values], dtype="datetime64[D]"))
            masks.append(None)  # NaT is null
        else:
            data.append(np.array(values, dtype=object))
            masks.append(missing)
    return data, masks


def _geometries(rows: Sequence[Record], project: Callable[[Any], Any] | None, geometry: GeometryKind) -> Any:
    import numpy as np
    import shapely

    geoms = np.array([r.geometry for r in rows], dtype=object)
    if geometry == "MultiPolygon":
        geoms = np.array(
            [g if g is None or g.geom_type != "Polygon" else shapely.MultiPolygon([g]) for g in geoms], dtype=object
        )
    if project is not None:
        geoms = shapely.transform(geoms, project)
    return shapely.to_wkb(geoms)


def write_gpkg(path: str, layer: Layer, records: Iterable[Record], *, epsg: int, batch: int = 5000) -> int:
    """Write ``records`` to a new GeoPackage at ``path`` as ``layer`` in ``epsg``, ``batch`` records
    at a time; the number of records written."""
    import numpy as np
    from pyogrio.raw import write

    project = _projector(epsg)
    crs = crs_definition(epsg)
    options = {"dataset_options": {"VERSION": "1.3"}, "layer_options": {"IDENTIFIER": layer.title}}
    written = 0
    pending: list[Record] = []

    def flush(rows: list[Record], *, append: bool) -> None:
        data, masks = _columns(layer, rows)
        geometry = _geometries(rows, project, layer.geometry) if rows else np.array([], dtype=object)
        write(
            path,
            geometry=geometry,
            field_data=data,
            fields=layer.keys,
            field_mask=masks,
            layer=layer.name,
            driver="GPKG",
            geometry_type=layer.geometry,
            crs=crs,
            encoding="UTF-8",
            append=append,
            **({} if append else options),
        )

    for r in records:
        pending.append(r)
        if len(pending) >= batch:
            flush(pending, append=written > 0)
            written += len(pending)
            pending = []
    if pending or written == 0:
        flush(pending, append=written > 0)
        written += len(pending)
    return written


def gpkg_chunks(layer: Layer, records: Iterable[Record], *, epsg: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The GeoPackage, written to a temporary file (SQLite needs a file) and then read out in chunks
    of ``chunk`` bytes; the file is removed when the last chunk is sent or the stream is closed."""
    handle, path = tempfile.mkstemp(prefix="tttt-export-", suffix=".gpkg")
    os.close(handle)
    os.unlink(path)  # GDAL creates the file itself
    try:
        write_gpkg(path, layer, records, epsg=epsg)
        with open(path, "rb") as source:
            while block := source.read(chunk):
                yield block
    finally:
        for leftover in (path, path + "-journal", path + "-wal", path + "-shm"):
            if os.path.exists(leftover):
                os.unlink(leftover)


# --- one call for the three ----------------------------------------------------------------------

GIS_FORMATS = ("geojson", "kml", "gpkg")


def gis_chunks(fmt: str, layer: Layer, records: Iterable[Record], *, epsg: int) -> Iterator[bytes]:
    if fmt == "geojson":
        return geojson_chunks(layer, records)
    if fmt == "kml":
        return kml_chunks(layer, records)
    if fmt == "gpkg":
        return gpkg_chunks(layer, records, epsg=epsg)
    raise ValueError(fmt)


def bounded(matched: int, limit: int, noun: str) -> None:
    """An export of more than ``limit`` rows is refused (413), never handed out silently cut: the
    caller is asked for narrower filters instead."""
    if matched > limit:
        raise LimitExceeded(
            f"Có {grouped(matched)} {noun} khớp bộ lọc, mỗi lần xuất tối đa {grouped(limit)}; hãy thu hẹp bộ lọc",
            status=413,
            limit=limit,
            matched=matched,
        )


def sheet_chunks(fmt: str, headers: list[str], body: Iterable[list[Any]], *, sheet: str) -> Iterator[bytes]:
    """A spreadsheet export: CSV streamed in batches, Excel once written."""
    if fmt == "csv":
        yield from iter_csv(headers, body)
        return
    yield write_xlsx(headers, body, sheet=sheet)
