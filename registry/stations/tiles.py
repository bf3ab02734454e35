"""Vector tiles of sites (Mapbox Vector Tile, built by PostGIS with ST_AsMVT).

At low zoom, and whenever a tile would hold more than ``max_features`` sites, the sites are grouped
on a grid of at most ``max_features`` cells and each cell becomes one counted cluster at the
centroid of its sites; close up, every site is a point with its public properties. The same
station filters as the lists apply. A caller may add columns to the points (``TileColumns``): the
API adds the permit standing for staff (``registry.permits.standing``), so this module knows
nothing of permits.

Each tile also carries, in its buffer, the clusters and sites of its neighbours that lie within
``BUFFER_PX`` pixels of its edge: the page draws a tile's features outside its box (the SVG of a
VectorGrid tile has ``overflow: visible``), so a circle straddling an edge is drawn whole by both
tiles, each copy exactly on the other. The counts (``n``) are those of the tile's own sites.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.audit.queries import latest_event_id
from registry.stations.queries import SiteCondition, StationFilter, site_where, station_where

EXTENT = 4096
# The widest circle the map draws (a cluster of many: 22 px and its outline) with room to spare, in
# pixels of a 256-pixel tile and in tile units.
BUFFER_PX = 32
BUFFER = BUFFER_PX * EXTENT // 256

_POINTS = """
    WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
    pts AS (
        SELECT s.id, s.code, s.pole_class, s.status, s.pole_height_m, ST_Transform(s.geom, 3857) AS g
        FROM site s, t
        WHERE s.geom && ST_Transform(ST_Intersection(ST_Expand(t.env, :margin), ST_TileEnvelope(0, 0, 0)), 4326)
          AND {where}
        LIMIT :cap
    )"""

RAW = (
    _POINTS
    + """{extra_cte}
    SELECT count(*) AS n, ST_AsMVT(m, 'sites', {extent}, 'geom') AS tile FROM (
        SELECT p.code, p.pole_class, p.status, p.pole_height_m, {extra_column}
               (SELECT count(*) FROM station st WHERE st.site_id = p.id) AS stations,
               (SELECT string_agg(DISTINCT o.short_name, ', ' ORDER BY o.short_name) FROM station st
                JOIN organisation o ON o.id = st.operator_id WHERE st.site_id = p.id) AS operators,
               ST_AsMVTGeom(p.g, t.env, {extent}, {buffer}, true) AS geom
        FROM pts p {extra_join}, t
    ) m WHERE geom IS NOT NULL"""
)

# The sites of a point tile, as a condition on ``s.id``: what a ``TileColumns`` CTE works out.
TILE_SITES = "s.id IN (SELECT id FROM pts)"


@dataclass(frozen=True)
class TileColumns:
    """Columns added to each point of a tile: ``cte`` ("name AS (SELECT … WHERE {TILE_SITES})"),
    ``column`` ("expr AS name,") over the point ``p`` and the ``join`` ("LEFT JOIN name c ON …"), with
    their bound ``params``."""

    cte: str
    column: str
    join: str
    params: dict[str, Any] = field(default_factory=dict)


CLUSTERED = """
    WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
    pts AS (
        SELECT ST_Transform(s.geom, 3857) AS g
        FROM site s, t
        WHERE s.geom && ST_Transform(ST_Intersection(ST_Expand(t.env, :reach), ST_TileEnvelope(0, 0, 0)), 4326)
          AND {where}
    ),
    cells AS (
        SELECT count(*) AS point_count, ST_Centroid(ST_Collect(g)) AS g, gx, gy
        FROM (SELECT g, floor((ST_X(g) - ST_XMin(t.env)) / :cell) AS gx, floor((ST_Y(g) - ST_YMin(t.env)) / :cell) AS gy
              FROM pts, t) p
        GROUP BY gx, gy
        HAVING min(gx) BETWEEN -:pad AND :side + :pad - 1 AND min(gy) BETWEEN -:pad AND :side + :pad - 1
    )
    SELECT coalesce(sum(point_count) FILTER (WHERE own), 0) AS n, ST_AsMVT(m, 'sites', {extent}, 'geom') AS tile FROM (
        SELECT point_count, (point_count > 1) AS cluster, gx >= 0 AND gx < :side AND gy >= 0 AND gy < :side AS own,
               ST_AsMVTGeom(c.g, t.env, {extent}, {reach}, true) AS geom
        FROM cells c, t
    ) m WHERE geom IS NOT NULL"""


# Tiles that would be clustered come from the grid counts kept by triggers (table site_cell, see
# migration 0012) when the filter is none or one of: one operator, one technology, one site status.
# Level z + shift has 2**shift cells per tile side, the same grid the live clustering uses, so both
# give the same tile; levels 5-15 are kept (zooms 0-10 of 2,000-feature tiles). Finer levels held a
# site or two a cell: zooms 11-12 cluster the sites themselves, within the tile target at a million
# sites (migration 0024), and an import of new sites writes a third of the cells.
CELL_LEVELS = range(5, 16)
GRID = """
    WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env)
    SELECT coalesce(sum(point_count) FILTER (WHERE own), 0) AS n, ST_AsMVT(m, 'sites', {extent}, 'geom') AS tile FROM (
        SELECT c.n AS point_count, (c.n > 1) AS cluster,
               c.gx BETWEEN :x0 AND :x1 AND c.gy BETWEEN :y0 AND :y1 AS own,
               ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(c.sx / c.n, c.sy / c.n), 3857), t.env, {extent}, {reach}, true)
                   AS geom
        FROM site_cell c, t
        WHERE c.key = :key AND c.level = :level AND c.n > 0
          AND c.gx BETWEEN :x0 - :pad AND :x1 + :pad AND c.gy BETWEEN :y0 - :pad AND :y1 + :pad
    ) m WHERE geom IS NOT NULL"""


def grid_key(session: Session, f: StationFilter) -> str | None:
    """The site_cell key answering filter ``f``, or None when the grid counts cannot."""
    chosen = {k: v for k, v in vars(f).items() if v not in (None, [], "")}
    if not chosen:
        return "*"
    if len(chosen) != 1:
        return None
    ((name, values),) = chosen.items()
    if name == "technologies" and len(values) == 1:
        return f"t:{values[0]}"
    if name == "statuses" and len(values) == 1:
        return f"s:{values[0]}"
    if name == "operators" and len(values) == 1:
        w = station_where(StationFilter(operators=values))
        ids = session.execute(text(f"SELECT o.id FROM organisation o WHERE {w.sql()}"), w.params).scalars().all()
        return f"o:{ids[0]}" if len(ids) == 1 else None
    return None


def grid_shift(max_features: int) -> int:
    """Cells per tile side are 2**shift, the most whose square stays within ``max_features``."""
    return max(0, math.isqrt(max(1, max_features)).bit_length() - 1)


def tile_size_m(z: int) -> float:
    return 2 * math.pi * 6378137.0 / (2**z)


def site_tile(
    session: Session,
    f: StationFilter,
    *,
    z: int,
    x: int,
    y: int,
    max_features: int,
    cluster_below_zoom: int,
    columns: TileColumns | None = None,
    live: bool = False,
    extra: SiteCondition | None = None,
) -> tuple[bytes, str, int]:
    """(MVT bytes, "points" or "clusters", number of sites in it). With ``columns``, each point also
    carries those (clusters do not). ``live`` clusters from the sites themselves even where the grid
    counts could answer (tests). ``extra``: a further condition from another area whose ``condition``
    needs no CTE (the permits area's ``standing_sites``); its tiles are always clustered live."""
    w = site_where(f)
    if extra is not None:
        w.add(extra.condition, **extra.params)
    size = tile_size_m(z)
    params = dict(w.params, z=z, x=x, y=y, margin=size * BUFFER / EXTENT, cap=max_features + 1)
    if z >= cluster_below_zoom:
        parts = {"extra_cte": "", "extra_column": "", "extra_join": ""}
        if columns is not None:
            parts = {"extra_cte": ", " + columns.cte, "extra_column": columns.column, "extra_join": columns.join}
            params.update(columns.params)
        row = session.execute(text(RAW.format(where=w.sql(), extent=EXTENT, buffer=BUFFER, **parts)), params).one()
        if row.n <= max_features:
            return bytes(row.tile or b""), "points", int(row.n)
    shift = grid_shift(max_features)
    side = 2**shift
    # The buffer of a clustered tile is made of whole cells: the neighbours' cells within ``pad`` cells
    # of the edge, each whole (the MVT buffer ``reach`` clips none of their centroids), in both ways of
    # clustering alike.
    pad = math.ceil(BUFFER * side / EXTENT)
    reach = pad * EXTENT // side + 1
    level = z + shift
    key = grid_key(session, f) if level in CELL_LEVELS and not live and extra is None else None
    if key is not None:
        grid = dict(z=z, x=x, y=y, level=level, x0=x * side, x1=(x + 1) * side - 1, y0=y * side, y1=(y + 1) * side - 1)
        row = session.execute(text(GRID.format(extent=EXTENT, reach=reach)), dict(grid, key=key, pad=pad)).one()
        return bytes(row.tile or b""), "clusters", int(row.n)
    params.update(cell=size / side, side=side, pad=pad, reach=size * pad / side)
    row = session.execute(text(CLUSTERED.format(where=w.sql(), extent=EXTENT, reach=reach)), params).one()
    return bytes(row.tile or b""), "clusters", int(row.n)


# What a tile is built from, as (rows, sum of a hash of each row's id and xmin). A row's xmin is the
# transaction that wrote its current version: any change of the row (a site's stations' summary is
# kept in it by triggers, migration 0020) gives it a new one, on the primary and on its replicas alike.
_SITES_VERSION = """
    WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env)
    SELECT count(*), coalesce(sum(hashtextextended(s.id::text || ':' || s.xmin::text, 0)), 0)
    FROM site s, t
    WHERE s.geom && ST_Transform(ST_Intersection(ST_Expand(t.env, :reach), ST_TileEnvelope(0, 0, 0)), 4326)"""
_CELLS_VERSION = """
    SELECT count(*), coalesce(sum(hashtextextended(c.gx || ',' || c.gy || ':' || c.xmin::text, 0)), 0)
    FROM site_cell c
    WHERE c.key = :key AND c.level = :level
      AND c.gx BETWEEN :x0 - :pad AND :x1 + :pad AND c.gy BETWEEN :y0 - :pad AND :y1 + :pad"""


def tile_version(session: Session, f: StationFilter, *, z: int, x: int, y: int, max_features: int,
                 cluster_below_zoom: int) -> str:  # fmt: skip
    """A fingerprint of what the public tile z/x/y (``site_tile`` without ``columns`` or ``extra``) is
    built from, that changes when that does and not when the rest of the registry does: the grid cells
    of a tile drawn from them, otherwise every site in the tile and its buffer, whatever the filter
    (a change to a site the filter leaves out changes the fingerprint too: never too seldom). Filters
    that match through other rows — an operator by its names, a commune, a search of station codes,
    several technologies at once (they must meet in one station) — add the newest audit event."""
    shift = grid_shift(max_features)
    side = 2**shift
    pad = math.ceil(BUFFER * side / EXTENT)
    level = z + shift
    exact = not (f.operators or f.admin_unit or f.q or len(f.technologies) > 1)
    version = None
    if z < cluster_below_zoom and level in CELL_LEVELS:
        key = grid_key(session, f)
        if key is not None:
            cells = dict(key=key, level=level, pad=pad, x0=x * side, x1=(x + 1) * side - 1, y0=y * side,
                         y1=(y + 1) * side - 1)  # fmt: skip
            n, h = session.execute(text(_CELLS_VERSION), cells).one()
            version = f"c{n}:{h}"
    if version is None:
        # The widest reach of any way the tile is built (clusters take whole cells of the buffer).
        n, h = session.execute(text(_SITES_VERSION), dict(z=z, x=x, y=y, reach=tile_size_m(z) * pad / side)).one()
        version = f"s{n}:{h}"
    return version if exact else f"{version}:a{latest_event_id(session)}"
