"""Reading administrative units: those in force on a day as GeoJSON built by PostGIS."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

_IN_FORCE = text(
    """
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
        json_build_object('type', 'Feature', 'id', code,
            'geometry', CASE WHEN :geometry THEN CAST(ST_AsGeoJSON(
                CASE WHEN :tolerance > 0 THEN ST_SimplifyPreserveTopology(geom, :tolerance) ELSE geom END, 6) AS json)
            END,
            'properties', json_build_object('code', code, 'name', name, 'kind', kind, 'urban', urban,
                'approximate', approximate, 'former_district', former_district,
                'valid_from', valid_from, 'valid_to', valid_to))
        ORDER BY name), '[]'::json))::text
    FROM admin_unit WHERE level = :level
      AND (valid_from IS NULL OR valid_from <= :on) AND (valid_to IS NULL OR valid_to > :on)
    """
)


# Metres to degrees of latitude, for a simplification tolerance given in metres (the boundaries are
# stored in WGS 84 degrees; a degree of longitude is shorter here, so the tolerance errs on the fine side).
METRES_PER_DEGREE = 111_320.0


def admin_unit_collection(session: Session, *, level: str, geometry: bool, on: date, simplify_m: float = 0.0) -> str:
    """The units of ``level`` in force on ``on``, by name, as FeatureCollection text (boundaries
    only when ``geometry``, simplified to within ``simplify_m`` metres keeping their topology: a map
    seen from afar needs fewer vertices)."""
    params = {"level": level, "geometry": geometry, "on": on, "tolerance": simplify_m / METRES_PER_DEGREE}
    body: str = session.execute(_IN_FORCE, params).scalar_one()
    return body
