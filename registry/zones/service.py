"""Planning zones and spacing rules: create, change, delete, list as GeoJSON."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import shapely
from geoalchemy2.shape import from_shape
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, shape
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo.checks import vertex_count
from registry.errors import Conflict, FieldError, NotFound, ValidationFailed
from registry.lookup import one
from registry.settings import get_settings
from registry.text import grouped
from registry.versions import check_version
from registry.zones.models import PlanningZone, SpacingRule
from registry.zones.schemas import SpacingRuleCreate, SpacingRulePatch, ZoneCreate, ZonePatch

# Larger than any province: a zone bigger than this is a typo in the coordinates.
MAX_ZONE_AREA_KM2 = 50_000.0


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} không phải tọa độ")


def check_vertices(raw: Any, field: str = "geometry", *, limit: int | None = None, row: int | None = None) -> None:
    """Refuse a GeoJSON geometry with more vertices than TTTT_MAX_GEOMETRY_VERTICES, counted on the
    raw input before shapely or PostGIS builds anything from it (every geometry input comes here)."""
    limit = limit if limit is not None else get_settings().max_geometry_vertices
    count = vertex_count(raw, stop_after=limit)
    if count > limit:
        raise ValidationFailed(
            "Hình học quá nhiều đỉnh",
            [
                FieldError(
                    f"Hình học có hơn {grouped(limit)} đỉnh (tối đa {grouped(limit)}); hãy đơn giản hóa",
                    field=field,
                    row=row,
                )
            ],
            limit=limit,
        )


def zone_geometry(raw: Any, field: str = "geometry") -> MultiPolygon:
    """A GeoJSON (Multi)Polygon in WGS 84, checked, as a shapely MultiPolygon."""

    def bad(message: str) -> ValidationFailed:
        return ValidationFailed("Hình học không hợp lệ", [FieldError(message, field=field)])

    if isinstance(raw, str):
        try:
            raw = json.loads(raw, parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:
            raise bad("Không phải GeoJSON") from exc
    if isinstance(raw, dict) and raw.get("type") == "Feature":
        raw = raw.get("geometry")
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        raise bad("Cần Polygon hoặc MultiPolygon GeoJSON")
    check_vertices(raw, field)
    try:
        geom = shape(raw)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, ShapelyError) as exc:
        raise bad("GeoJSON không đọc được") from exc
    return checked_polygon(geom, field)


def checked_polygon(geom: Any, field: str = "geometry") -> MultiPolygon:
    def bad(message: str) -> ValidationFailed:
        return ValidationFailed("Hình học không hợp lệ", [FieldError(message, field=field)])

    if isinstance(geom, Polygon | MultiPolygon) and geom.has_z:
        geom = shapely.force_2d(geom)  # KML carries altitudes; zones are drawn on the ground
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    if not isinstance(geom, MultiPolygon) or geom.is_empty:
        raise bad("Cần đa giác khác rỗng")
    if not geom.is_valid:
        raise bad("Đa giác tự cắt hoặc không khép kín")
    x0, y0, x1, y1 = geom.bounds
    if not (x0 >= -180 and x1 <= 180 and y0 >= -90 and y1 <= 90):
        raise bad("Tọa độ phải là kinh độ, vĩ độ WGS 84")
    import math

    area = abs(x1 - x0) * 111.32 * math.cos(math.radians((y0 + y1) / 2)) * abs(y1 - y0) * 110.57
    if area > MAX_ZONE_AREA_KM2:
        raise bad(f"Vùng quá rộng ({grouped(area)} km²); kiểm tra lại tọa độ (kinh độ trước, vĩ độ sau)")
    return geom


def get_zone(session: Session, code: str, *, for_update: bool = False) -> PlanningZone:
    return one(
        session,
        PlanningZone,
        PlanningZone.code == code,
        missing=f"Không có vùng quy hoạch {code}",
        for_update=for_update,
    )


_ZONE_FIELDS = (
    "name",
    "allowed_pole_classes",
    "max_height_m",
    "urban",
    "source_decision",
    "valid_from",
    "valid_to",
    "notes",
)


def apply_zone(zone: PlanningZone, fields: dict[str, Any], geometry: MultiPolygon | None) -> None:
    for key in _ZONE_FIELDS:
        if key in fields:
            setattr(zone, key, fields[key])
    if "kind" in fields:
        zone.kind = fields["kind"].value if hasattr(fields["kind"], "value") else fields["kind"]
    if zone.allowed_pole_classes is not None:
        zone.allowed_pole_classes = sorted(set(zone.allowed_pole_classes))
    if geometry is not None:
        zone.geom = from_shape(geometry, srid=4326)
    if zone.valid_from and zone.valid_to and zone.valid_to <= zone.valid_from:
        raise ValidationFailed("Ngày không hợp lệ", [FieldError("valid_to phải sau valid_from", field="valid_to")])


def create_zone(session: Session, data: ZoneCreate) -> PlanningZone:
    geometry = zone_geometry(data.geometry)
    if session.scalar(select(PlanningZone.id).where(PlanningZone.code == data.code)) is not None:
        raise Conflict(f"Vùng quy hoạch {data.code} đã có", field="code")
    zone = PlanningZone(code=data.code)
    apply_zone(zone, data.model_dump(exclude_unset=True, exclude={"code", "geometry"}) | {"kind": data.kind}, geometry)
    session.add(zone)
    session.flush()
    return zone


def update_zone(session: Session, code: str, data: ZonePatch, *, expected_version: int | None) -> PlanningZone:
    zone = get_zone(session, code, for_update=True)
    check_version(zone, expected_version, what=f"Vùng quy hoạch {code}")
    geometry = zone_geometry(data.geometry) if data.geometry is not None else None
    apply_zone(zone, data.model_dump(exclude_unset=True, exclude={"geometry"}), geometry)
    session.flush()
    return zone


def delete_zone(session: Session, code: str, *, expected_version: int | None) -> None:
    zone = get_zone(session, code, for_update=True)
    check_version(zone, expected_version, what=f"Vùng quy hoạch {code}")
    for rule in session.scalars(select(SpacingRule).where(SpacingRule.zone_id == zone.id)):
        session.delete(rule)
    session.delete(zone)
    session.flush()


def zone_collection(session: Session, *, on: date | None, kind: str | None, simplify_m: float = 0.0) -> str:
    """Every zone (in force on ``on`` when given) as a GeoJSON FeatureCollection, built by PostGIS."""
    return str(
        session.execute(
            text(
                """
            SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
                json_build_object('type', 'Feature', 'id', z.code,
                    'geometry', CAST(ST_AsGeoJSON(z.geom, 6) AS json),
                    'properties', json_build_object('code', z.code, 'name', z.name, 'kind', z.kind,
                        'allowed_pole_classes', z.allowed_pole_classes, 'max_height_m', z.max_height_m,
                        'urban', z.urban, 'source_decision', z.source_decision, 'valid_from', z.valid_from,
                        'valid_to', z.valid_to, 'notes', z.notes, 'version', z.version,
                        'area_km2', round(CAST(ST_Area(z.geom::geography) / 1e6 AS numeric), 3)))
                ORDER BY z.code), '[]'::json))::text
            FROM planning_zone z
            WHERE (CAST(:on AS date) IS NULL OR ((z.valid_from IS NULL OR z.valid_from <= :on)
                   AND (z.valid_to IS NULL OR z.valid_to > :on)))
              AND (CAST(:kind AS text) IS NULL OR z.kind = :kind)"""
            ),
            {"on": on, "kind": kind},
        ).scalar_one()
    )


def zone_feature(session: Session, zone: PlanningZone) -> dict[str, Any]:
    body = json.loads(zone_collection(session, on=None, kind=None))
    for feature in body["features"]:
        if feature["id"] == zone.code:
            feature["properties"]["spacing_rules"] = [
                spacing_dict(r, zone.code) for r in spacing_rules(session, zone.id)
            ]
            return dict(feature)
    raise NotFound(f"Không có vùng quy hoạch {zone.code}")


# --- spacing rules ---------------------------------------------------------------------------------


def spacing_rules(session: Session, zone_id: int | None = None) -> list[SpacingRule]:
    stmt = select(SpacingRule).order_by(SpacingRule.zone_id.nulls_first(), SpacingRule.pole_class, SpacingRule.id)
    if zone_id is not None:
        stmt = stmt.where(SpacingRule.zone_id == zone_id)
    return list(session.scalars(stmt))


def spacing_dict(rule: SpacingRule, zone_code: str | None = None) -> dict[str, Any]:
    return {
        "id": rule.id,
        "zone_code": zone_code,
        "pole_class": rule.pole_class,
        "height_above_m": rule.height_above_m,
        "height_up_to_m": rule.height_up_to_m,
        "urban": rule.urban,
        "min_distance_m": rule.min_distance_m,
        "legal_basis": rule.legal_basis,
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
        "version": rule.version,
    }


def _check_rule(rule: SpacingRule) -> None:
    errors = []
    if (
        rule.height_above_m is not None
        and rule.height_up_to_m is not None
        and rule.height_up_to_m <= rule.height_above_m
    ):
        errors.append(FieldError("height_up_to_m phải lớn hơn height_above_m", field="height_up_to_m"))
    if rule.effective_to is not None and rule.effective_to <= rule.effective_from:
        errors.append(FieldError("effective_to phải sau effective_from", field="effective_to"))
    if errors:
        raise ValidationFailed("Quy tắc khoảng cách không hợp lệ", errors)


def get_spacing_rule(session: Session, rule_id: int, *, for_update: bool = False) -> SpacingRule:
    return one(
        session,
        SpacingRule,
        SpacingRule.id == rule_id,
        missing=f"Không có quy tắc khoảng cách số hiệu {rule_id}",
        for_update=for_update,
    )


def create_spacing_rule(session: Session, data: SpacingRuleCreate) -> SpacingRule:
    zone_id = None
    if data.zone_code is not None:
        try:
            zone_id = get_zone(session, data.zone_code).id
        except NotFound as exc:
            raise ValidationFailed(exc.detail, [FieldError(exc.detail, field="zone_code")]) from exc
    rule = SpacingRule(zone_id=zone_id, **data.model_dump(exclude={"zone_code"}))
    _check_rule(rule)
    session.add(rule)
    session.flush()
    return rule


def update_spacing_rule(
    session: Session, rule_id: int, data: SpacingRulePatch, *, expected_version: int | None
) -> SpacingRule:
    rule = get_spacing_rule(session, rule_id, for_update=True)
    check_version(rule, expected_version, what=f"Quy tắc khoảng cách {rule_id}")
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(rule, key, value)
    _check_rule(rule)
    session.flush()
    return rule


def new_spacing_rule_version(
    session: Session, rule_id: int, data: SpacingRuleCreate, *, expected_version: int | None
) -> SpacingRule:
    """A new value of a spacing rule from a day on: the new rule, and the one it replaces ends that day
    (both in this transaction; the old one is kept with its dates)."""
    old = get_spacing_rule(session, rule_id, for_update=True)
    check_version(old, expected_version, what=f"Quy tắc khoảng cách {rule_id}")
    if data.effective_from <= old.effective_from:
        raise ValidationFailed(
            "Quy tắc không hợp lệ",
            [FieldError(f"Phải sau ngày hiệu lực của quy tắc hiện hành ({old.effective_from:%d/%m/%Y})",
                        field="effective_from")],
        )  # fmt: skip
    new = create_spacing_rule(session, data)
    if old.effective_to is None or old.effective_to > data.effective_from:
        old.effective_to = data.effective_from
        _check_rule(old)
        session.flush()
    return new


def delete_spacing_rule(session: Session, rule_id: int, *, expected_version: int | None) -> None:
    rule = get_spacing_rule(session, rule_id, for_update=True)
    check_version(rule, expected_version, what=f"Quy tắc khoảng cách {rule_id}")
    session.delete(rule)
    session.flush()
