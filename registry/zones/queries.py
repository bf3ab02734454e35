"""Reading planning zones: a zone's code, the outlines of some zones for a map, the back office's
list of zones (filtered, sorted, paged; the same filter for its exports) and the sites inside a zone."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.clock import today
from registry.text import fold
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


# --- the back office's list of zones ----------------------------------------------------------------

# Sort keys of the list → SQL (a column of planning_zone z); the code breaks ties.
ZONE_SORTS = {
    "code": "z.code",
    "name": "f_unaccent(lower(z.name))",
    "kind": "z.kind",
    "max_height_m": "z.max_height_m",
    "valid_from": "z.valid_from",
    "valid_to": "z.valid_to",
}


@dataclass(frozen=True)
class ZoneFilter:
    """What the list of zones is narrowed to (every part optional): kinds, urban ("yes", "no" or
    "unset": from the administrative unit), in force on ``on`` or not, and a search of code and name
    with or without diacritics."""

    kinds: Sequence[str] = ()
    urban: Sequence[str] = ()
    in_force: Sequence[str] = ()  # "yes", "no"
    q: str = ""
    on: date | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        parts = ["TRUE"]
        params: dict[str, Any] = {}
        if self.kinds:
            parts.append("z.kind = ANY(:kinds)")
            params["kinds"] = list(self.kinds)
        if self.urban and set(self.urban) != {"yes", "no", "unset"}:
            said = {"yes": "z.urban IS TRUE", "no": "z.urban IS FALSE", "unset": "z.urban IS NULL"}
            parts.append("(" + " OR ".join(said[u] for u in self.urban if u in said) + ")")
        if len(set(self.in_force) & {"yes", "no"}) == 1:
            now = "(z.valid_from IS NULL OR z.valid_from <= :on) AND (z.valid_to IS NULL OR z.valid_to > :on)"
            parts.append(f"({now})" if "yes" in self.in_force else f"NOT ({now})")
            params["on"] = self.on or today()
        if self.q.strip():
            parts.append("f_unaccent(lower(z.code || ' ' || z.name)) LIKE :q")
            params["q"] = "%" + fold(self.q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return " AND ".join(parts), params


def zone_rows(
    session: Session, f: ZoneFilter, *, sort: str = "code", limit: int | None = None, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of the zones ``f`` matches (``limit`` None: all of them) and how many match in all."""
    where, params = f.where()
    key = sort.lstrip("-")
    order = f"{ZONE_SORTS[key]} {'DESC' if sort.startswith('-') else 'ASC'} NULLS LAST, z.code"
    on = f.on or today()
    rows = session.execute(
        text(
            f"""
        SELECT z.id, z.code, z.name, z.kind, z.allowed_pole_classes, z.max_height_m, z.urban,
               z.source_decision, z.valid_from, z.valid_to, z.version,
               (z.valid_from IS NULL OR z.valid_from <= :today) AND (z.valid_to IS NULL OR z.valid_to > :today)
                   AS in_force,
               round(CAST(ST_Area(z.geom::geography) / 1e6 AS numeric), 3)::float AS area_km2,
               count(*) OVER () AS total
        FROM planning_zone z WHERE {where}
        ORDER BY {order} LIMIT :limit OFFSET :offset"""  # noqa: S608 - parts are fixed texts, values bound
        ),
        {**params, "today": on, "limit": limit, "offset": offset},
    ).mappings()
    out = [dict(r) for r in rows]
    if out:
        return [{k: v for k, v in r.items() if k != "total"} for r in out], int(out[0]["total"])
    if offset:  # a page past the end: still say how many match
        total = session.scalar(text(f"SELECT count(*) FROM planning_zone z WHERE {where}"), params)  # noqa: S608
        return [], int(total or 0)
    return [], 0


def zone_features(session: Session, f: ZoneFilter, *, sort: str = "code") -> dict[str, Any]:
    """Exactly the zones ``f`` matches as a GeoJSON FeatureCollection (built by PostGIS), in list order."""
    where, params = f.where()
    key = sort.lstrip("-")
    order = f"{ZONE_SORTS[key]} {'DESC' if sort.startswith('-') else 'ASC'} NULLS LAST, z.code"
    body = session.execute(
        text(
            f"""
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
            json_build_object('type', 'Feature', 'id', z.code,
                'geometry', CAST(ST_AsGeoJSON(z.geom, 7) AS json),
                'properties', json_build_object('code', z.code, 'name', z.name, 'kind', z.kind,
                    'allowed_pole_classes', z.allowed_pole_classes, 'max_height_m', z.max_height_m,
                    'urban', z.urban, 'source_decision', z.source_decision, 'valid_from', z.valid_from,
                    'valid_to', z.valid_to, 'notes', z.notes))
            ORDER BY {order}), '[]'::json))
        FROM planning_zone z WHERE {where}"""  # noqa: S608 - parts are fixed texts, values bound
        ),
        params,
    ).scalar_one()
    return dict(body)


def sites_in_zone(session: Session, zone_id: int, *, limit: int) -> tuple[list[dict[str, Any]], int]:
    """The sites whose position lies in the zone (code order, at most ``limit``) and how many in all."""
    rows = session.execute(
        text(
            """
        SELECT s.code, s.address, s.pole_class, s.pole_height_m, s.status, count(*) OVER () AS total
        FROM site s JOIN planning_zone z ON z.id = :zone AND ST_Intersects(z.geom, s.geom)
        ORDER BY s.code LIMIT :limit"""
        ),
        {"zone": zone_id, "limit": limit},
    ).mappings()
    out = [dict(r) for r in rows]
    return [{k: v for k, v in r.items() if k != "total"} for r in out], int(out[0]["total"]) if out else 0
