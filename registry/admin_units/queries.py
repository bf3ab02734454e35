"""Reading administrative units: those in force on a day as GeoJSON built by PostGIS."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

_IN_FORCE = text(
    """
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
        json_build_object('type', 'Feature', 'id', code,
            'geometry', CASE WHEN :geometry THEN CAST(ST_AsGeoJSON(geom, 6) AS json) END,
            'properties', json_build_object('code', code, 'name', name, 'kind', kind, 'urban', urban,
                'approximate', approximate, 'former_district', former_district,
                'valid_from', valid_from, 'valid_to', valid_to))
        ORDER BY name), '[]'::json))::text
    FROM admin_unit WHERE level = :level
      AND (valid_from IS NULL OR valid_from <= :on) AND (valid_to IS NULL OR valid_to > :on)
    """
)


def admin_unit_collection(session: Session, *, level: str, geometry: bool, on: date) -> str:
    """The units of ``level`` in force on ``on``, by name, as FeatureCollection text (boundaries
    only when ``geometry``)."""
    body: str = session.execute(_IN_FORCE, {"level": level, "geometry": geometry, "on": on}).scalar_one()
    return body
