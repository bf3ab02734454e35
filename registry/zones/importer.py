"""Importing planning zones from GeoJSON or KML: every feature checked first, all or nothing.

Each feature carries the zone's fields as GeoJSON ``properties`` or KML ``ExtendedData`` (``Data`` or
typed ``SchemaData``, as this registry's exports and GDAL write them: code,
name, kind, allowed_pole_classes, max_height_m, urban, source_decision, valid_from, valid_to, notes;
a KML Placemark's name stands in for a missing name). Zones are matched by code: a new code is
created, a known one updated when anything differs, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from geoalchemy2.shape import to_shape
from pydantic import ValidationError
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.errors import FieldError, LimitExceeded, ValidationFailed
from registry.settings import Settings, get_settings
from registry.tabular import ImportReportDict
from registry.text import grouped
from registry.zones.models import PlanningZone
from registry.zones.schemas import ZoneCreate
from registry.zones.service import apply_zone, check_vertices, checked_polygon


@dataclass
class ZoneImportReport(ImportReportDict):
    features: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[FieldError] = field(default_factory=list)


def _list(value: Any) -> Any:
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        return parts or None
    return value


def _number(value: Any) -> Any:
    return None if value in ("", None) else value


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        v = value.strip().lower()
        return {"true": True, "1": True, "có": True, "false": False, "0": False, "không": False, "": None}.get(v, value)
    return value


def _features_geojson(data: bytes) -> list[tuple[dict[str, Any], Any]]:
    try:
        body = json.loads(data.decode("utf-8-sig"), parse_constant=lambda c: float("nan"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValidationFailed("Tệp không phải GeoJSON", [FieldError("JSON không đọc được", field="file")]) from exc
    if isinstance(body, dict) and body.get("type") == "Feature":
        body = {"type": "FeatureCollection", "features": [body]}
    if (
        not isinstance(body, dict)
        or body.get("type") != "FeatureCollection"
        or not isinstance(body.get("features"), list)
    ):
        raise ValidationFailed("Tệp không phải FeatureCollection", [FieldError("Cần FeatureCollection", field="file")])
    out = []
    for feature in body["features"]:
        props = feature.get("properties") if isinstance(feature, dict) else None
        out.append(
            (props if isinstance(props, dict) else {}, feature.get("geometry") if isinstance(feature, dict) else None)
        )
    return out


def _features_kml(data: bytes) -> list[tuple[dict[str, Any], Any]]:
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data.upper():
        raise ValidationFailed(
            "KML không được chứa DOCTYPE/ENTITY", [FieldError("Tệp KML không an toàn", field="file")]
        )
    from fastkml import KML

    try:
        kml = KML.from_string(data)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file
        raise ValidationFailed("Tệp không phải KML", [FieldError("KML không đọc được", field="file")]) from exc
    out: list[tuple[dict[str, Any], Any]] = []

    def walk(node: Any) -> None:
        for child in getattr(node, "features", None) or []:
            geometry = getattr(child, "geometry", None)
            if type(child).__name__ == "Placemark":
                props: dict[str, Any] = {}
                extended = getattr(child, "extended_data", None)
                for element in getattr(extended, "elements", None) or []:
                    if getattr(element, "name", None):
                        props[element.name] = element.value
                    for simple in getattr(element, "data", None) or []:  # SchemaData (typed fields)
                        if getattr(simple, "name", None):
                            props[simple.name] = simple.value
                if not props.get("name") and getattr(child, "name", None):
                    props["name"] = child.name
                out.append((props, geometry.__geo_interface__ if geometry is not None else None))
            walk(child)

    walk(kml)
    return out


def read_zone_features(data: bytes, filename: str) -> list[tuple[dict[str, Any], Any]]:
    name = filename.lower()
    if name.endswith(".kml") or data.lstrip().startswith(b"<"):
        return _features_kml(data)
    if name.endswith((".geojson", ".json")) or data.lstrip().startswith(b"{"):
        return _features_geojson(data)
    raise ValidationFailed("Định dạng không hỗ trợ", [FieldError("Chỉ nhận .geojson hoặc .kml", field="file")])


def import_zones(
    session: Session,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    settings: Settings | None = None,
    explain: Callable[[Any], str] | None = None,
) -> ZoneImportReport:
    """``explain`` words a pydantic error (the API's Vietnamese messages, api.errors.message_for);
    without it, pydantic's own message."""
    settings = settings or get_settings()
    features = read_zone_features(data, filename)
    report = ZoneImportReport(features=len(features), dry_run=dry_run)
    if not features:
        raise ValidationFailed("Tệp không có vùng nào", [FieldError("Không có feature", field="file")])
    if len(features) > settings.max_zone_features:
        raise LimitExceeded(
            f"Tệp có {grouped(len(features))} vùng, tối đa {grouped(settings.max_zone_features)} vùng một lần",
            status=413,
            field="file",
            limit=settings.max_zone_features,
        )
    # Vertices are counted on every feature before any geometry is built: one error per feature.
    for row, (_props, geometry) in enumerate(features, start=1):
        try:
            check_vertices(geometry, "geometry", limit=settings.max_geometry_vertices, row=row)
        except ValidationFailed as exc:
            report.errors += [FieldError(e.message, row=row, column="geometry") for e in exc.errors]
    if report.errors:
        raise ValidationFailed(
            f"{len(report.errors)} vùng quá nhiều đỉnh; không vùng nào được ghi", report.errors, report=report.as_dict()
        )
    parsed: list[tuple[ZoneCreate, Any]] = []
    seen: dict[str, int] = {}
    for row, (props, geometry) in enumerate(features, start=1):
        fields = {
            "code": props.get("code"),
            "name": props.get("name"),
            "kind": props.get("kind"),
            "geometry": geometry if isinstance(geometry, dict) else {},
            "allowed_pole_classes": _list(props.get("allowed_pole_classes")),
            "max_height_m": _number(props.get("max_height_m")),
            "urban": _bool(props.get("urban")),
            "source_decision": props.get("source_decision") or None,
            "valid_from": props.get("valid_from") or None,
            "valid_to": props.get("valid_to") or None,
            "notes": props.get("notes") or None,
        }
        try:
            zone = ZoneCreate.model_validate(fields)
        except ValidationError as exc:
            for e in exc.errors():
                column = ".".join(str(p) for p in e["loc"]) or "feature"
                given = e.get("input")
                report.errors.append(
                    FieldError(
                        explain(e) if explain else str(e["msg"]),
                        row=row,
                        column=column,
                        value=given if isinstance(given, str | int | float | bool) else None,
                    )
                )
            continue
        try:
            polygon = checked_polygon(shape(zone.geometry) if zone.geometry else None, "geometry")
        except (ValidationFailed, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            message = exc.errors[0].message if isinstance(exc, ValidationFailed) else "Hình học không đọc được"
            report.errors.append(FieldError(message, row=row, column="geometry"))
            continue
        if zone.code in seen:
            report.errors.append(
                FieldError(
                    f"Mã {zone.code} trùng với vùng thứ {seen[zone.code]}", row=row, column="code", value=zone.code
                )
            )
            continue
        seen[zone.code] = row
        parsed.append((zone, polygon))
    if report.errors:
        raise ValidationFailed(
            f"{len(report.errors)} lỗi; không vùng nào được ghi", report.errors, report=report.as_dict()
        )
    existing = {z.code: z for z in session.scalars(select(PlanningZone).where(PlanningZone.code.in_(list(seen))))}
    for zone, polygon in parsed:
        current = existing.get(zone.code)
        if current is None:
            report.created += 1
            if not dry_run:
                record = PlanningZone(code=zone.code)
                apply_zone(record, zone.model_dump(exclude={"code", "geometry"}), polygon)
                session.add(record)
            continue
        same_geometry = to_shape(current.geom).equals_exact(polygon, 1e-9)
        fields = zone.model_dump(exclude={"code", "geometry"})
        fields["kind"] = zone.kind.value
        if fields.get("allowed_pole_classes") is not None:
            fields["allowed_pole_classes"] = sorted(set(fields["allowed_pole_classes"]))
        same_fields = all(getattr(current, k) == v for k, v in fields.items())
        if same_geometry and same_fields:
            report.unchanged += 1
            continue
        report.updated += 1
        if not dry_run:
            apply_zone(current, fields, None if same_geometry else polygon)
    session.flush()
    return report
