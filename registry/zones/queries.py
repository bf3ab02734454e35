"""Reading planning zones: a zone's code, and the outlines of some zones for a map."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.zones.models import PlanningZone


def zone_code(session: Session, zone_id: int) -> str:
    zone = session.get(PlanningZone, zone_id)
    assert zone is not None  # a foreign key
    return zone.code


def zone_geometries(session: Session, codes: Collection[str]) -> dict[str, dict[str, Any]]:
    """GeoJSON geometry (7 decimals) of each of these zones that exists, by code."""
    rows = session.execute(
        text("SELECT code, ST_AsGeoJSON(geom, 7)::json FROM planning_zone WHERE code = ANY(:codes)"),
        {"codes": list(codes)},
    )
    return {code: geometry for code, geometry in rows}
