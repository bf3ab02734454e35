"""Vector tiles of sites (Mapbox Vector Tile, built by PostGIS with ST_AsMVT).

At low zoom, and whenever a tile would hold more than ``max_features`` sites, the sites are grouped
on a grid of at most ``max_features`` cells and each cell becomes one counted cluster at the
centroid of its sites; close up, every site is a point with its public properties. The same
station filters as the lists apply.
"""

from __future__ import annotations

import math

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.stations.queries import StationFilter, site_where

EXTENT = 4096

_POINTS = """
    WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
    pts AS (
        SELECT s.id, s.code, s.pole_class, s.status, s.pole_height_m, ST_Transform(s.geom, 3857) AS g
        FROM site s, t
        WHERE s.geom && ST_Transform(ST_Expand(t.env, :margin), 4326) AND {where}
        LIMIT :cap
    )"""

RAW = (
    _POINTS
    + """
    SELECT count(*) AS n, ST_AsMVT(m, 'sites', {extent}, 'geom') AS tile FROM (
        SELECT p.code, p.pole_class, p.status, p.pole_height_m,
               (SELECT count(*) FROM station st WHERE st.site_id = p.id) AS stations,
               (SELECT string_agg(DISTINCT o.short_name, ', ' ORDER BY o.short_name) FROM station st
                JOIN organisation o ON o.id = st.operator_id WHERE st.site_id = p.id) AS operators,
               ST_AsMVTGeom(p.g, t.env, {extent}, 64, true) AS geom
        FROM pts p, t
    ) m WHERE geom IS NOT NULL"""
)

CLUSTERED = """
    WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
    pts AS (
        SELECT ST_Transform(s.geom, 3857) AS g
        FROM site s, t
        WHERE s.geom && ST_Transform(t.env, 4326) AND {where}
    ),
    cells AS (
        SELECT count(*) AS point_count, ST_Centroid(ST_Collect(g)) AS g
        FROM pts, t
        WHERE ST_Intersects(g, t.env)
        GROUP BY floor((ST_X(g) - ST_XMin(t.env)) / :cell), floor((ST_Y(g) - ST_YMin(t.env)) / :cell)
    )
    SELECT coalesce(sum(point_count), 0) AS n, ST_AsMVT(m, 'sites', {extent}, 'geom') AS tile FROM (
        SELECT point_count, (point_count > 1) AS cluster, ST_AsMVTGeom(c.g, t.env, {extent}, 0, true) AS geom
        FROM cells c, t
    ) m WHERE geom IS NOT NULL"""


def tile_size_m(z: int) -> float:
    return 2 * math.pi * 6378137.0 / (2**z)


def site_tile(
    session: Session, f: StationFilter, *, z: int, x: int, y: int, max_features: int, cluster_below_zoom: int
) -> tuple[bytes, str, int]:
    """(MVT bytes, "points" or "clusters", number of sites in it)."""
    w = site_where(f)
    size = tile_size_m(z)
    params = dict(w.params, z=z, x=x, y=y, margin=size * 64 / EXTENT, cap=max_features + 1)
    if z >= cluster_below_zoom:
        row = session.execute(text(RAW.format(where=w.sql(), extent=EXTENT)), params).one()
        if row.n <= max_features:
            return bytes(row.tile or b""), "points", int(row.n)
    per_side = max(1, math.isqrt(max_features))
    params["cell"] = size / per_side
    row = session.execute(text(CLUSTERED.format(where=w.sql(), extent=EXTENT)), params).one()
    return bytes(row.tile or b""), "clusters", int(row.n)
