"""GIS exports of press outlets (kml, gpkg) in the columns of the outlet spreadsheet (registry.press.tabular
.COLUMNS, which csv and xlsx carry), role permitting: the public gets the public fields of an outlet
(PUBLIC_FIELDS["press_outlet"]), not its phone, e-mail or notes. Kind and status are codes here, as
the API gives them; the spreadsheet writes them in words so that it imports back."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.errors import FieldError, LimitExceeded, ValidationFailed
from registry.geofiles import GIS_FORMATS, Field, Layer, Record, Style, check_crs, gis_chunks, parse_crs
from registry.press.models import OUTLET_KIND_NAMES, OUTLET_STATUS_NAMES, OutletKind, OutletStatus, PressOutlet
from registry.press.tabular import COLUMNS
from registry.settings import Settings, get_settings
from registry.text import grouped

_DOUBLE = {"lon", "lat"}
# An outlet's public "location" and "parent" are these columns here.
_ALWAYS = ("lon", "lat")
_FROM_PUBLIC = {"parent_code": "parent"}

OUTLET_LAYER = Layer(
    name="co_quan_bao_chi",
    title="Cơ quan báo chí",
    geometry="Point",
    fields=tuple(Field(key, "double" if key in _DOUBLE else "string", header) for header, key in COLUMNS),
    styles={
        OutletStatus.active.value: Style("ffb4771f", OUTLET_STATUS_NAMES[OutletStatus.active]),
        **{s.value: Style("ff7f7f7f", OUTLET_STATUS_NAMES[s]) for s in OutletStatus if s is not OutletStatus.active},
    },
)


def outlet_layer(fields: Collection[str] | None = None) -> Layer:
    """The layer with the columns a reader may see (``fields``: visible_fields of "press_outlet")."""
    if fields is None:
        return OUTLET_LAYER
    keys = {f.key for f in OUTLET_LAYER.fields if f.key in fields or _FROM_PUBLIC.get(f.key) in fields}
    return OUTLET_LAYER.only(keys, always=_ALWAYS)


def outlet_record(outlet: PressOutlet, layer: Layer) -> Record:
    from geoalchemy2.shape import to_shape

    point = to_shape(outlet.geom) if outlet.geom is not None else None
    row: dict[str, Any] = {
        "code": outlet.code,
        "kind": outlet.kind,
        "name": outlet.name,
        "short_name": outlet.short_name,
        "governing_body": outlet.governing_body,
        "head_name": outlet.head_name,
        "head_title": outlet.head_title,
        "address": outlet.address,
        "lon": None if point is None else round(point.x, 7),
        "lat": None if point is None else round(point.y, 7),
        "phone": outlet.phone,
        "email": outlet.email,
        "domains": "; ".join(outlet.domains) or None,
        "periodicity": outlet.periodicity,
        "languages": ", ".join(outlet.languages) or None,
        "status": outlet.status,
        "parent_code": outlet.parent.code if outlet.parent else None,
        "notes": outlet.notes,
    }
    return Record(
        id=outlet.code,
        label=outlet.name,
        values={k: row[k] for k in layer.keys},
        geometry=point,
        group=OUTLET_KIND_NAMES[OutletKind(outlet.kind)],
        style=outlet.status,
    )


def stream_outlets(
    session: Session,
    *,
    fmt: str,
    fields: Collection[str] | None = None,
    settings: Settings | None = None,
    crs: str | None = None,
) -> Iterator[bytes]:
    """Every outlet (those without a place with an empty geometry) as KML or GeoPackage, in a folder per
    kind; at most TTTT_MAX_EXPORT_ROWS."""
    settings = settings or get_settings()
    if fmt not in GIS_FORMATS:
        raise ValidationFailed("Định dạng xuất không hỗ trợ", [FieldError("kml hoặc gpkg", field="format")])
    epsg = parse_crs(crs)
    check_crs(fmt, epsg)
    limit = settings.max_export_rows
    matched = session.scalar(select(func.count()).select_from(PressOutlet)) or 0
    if matched > limit:
        raise LimitExceeded(
            f"Có {grouped(matched)} cơ quan, mỗi lần xuất tối đa {grouped(limit)}", status=413, limit=limit
        )
    layer = outlet_layer(fields)
    outlets = session.scalars(select(PressOutlet).order_by(PressOutlet.kind, PressOutlet.code).limit(limit))
    yield from gis_chunks(fmt, layer, (outlet_record(o, layer) for o in outlets), epsg=epsg)
