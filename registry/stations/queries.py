"""Read side of the station registry: filters, spatial search and GeoJSON, all built by PostGIS.

Every query is parameterised; constants (the search point, the polygon) are transformed, never the
column, so the GiST indexes on ``geom`` and ``geom::geography`` are used. Distances are geodesic
metres on the WGS 84 spheroid (``ST_Distance(geography)``), the same as pyproj's ``Geod``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from registry.admin_units.service import CommuneIndex
from registry.db import read_one
from registry.stations.emf import distance_sql
from registry.text import fold


@dataclass(frozen=True)
class StationFilter:
    """What a list, an export or a map may be narrowed by. Empty lists mean "any"."""

    operators: list[str] = field(default_factory=list)  # organisation codes, folded names allowed
    technologies: list[str] = field(default_factory=list)  # station must have all of them
    pole_classes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)  # site status for sites, station status for stations
    admin_unit: str | None = None  # code or name of a commune (or province)
    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    within: dict[str, Any] | None = None  # GeoJSON geometry
    near: tuple[float, float] | None = None  # lon, lat
    radius_m: float | None = None


class _Where:
    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: dict[str, Any] = {}

    def add(self, clause: str, **params: Any) -> None:
        self.clauses.append(clause)
        self.params.update(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "true"


_OPERATOR_MATCH = (
    "(o.code = ANY(:operators) OR f_unaccent(lower(o.short_name)) = ANY(:operators_folded) "
    "OR f_unaccent(lower(o.name)) = ANY(:operators_folded) "
    "OR EXISTS (SELECT 1 FROM unnest(o.aliases) al WHERE f_unaccent(lower(al)) = ANY(:operators_folded)))"
)


def _station_clauses(f: StationFilter, w: _Where, *, for_sites: bool) -> None:
    """Conditions on a station row ``st`` joined to its operator ``o``."""
    if f.operators:
        w.add(
            _OPERATOR_MATCH, operators=[o.upper() for o in f.operators], operators_folded=[fold(o) for o in f.operators]
        )
    if f.technologies:
        w.add("st.technologies @> CAST(:technologies AS varchar[])", technologies=f.technologies)
    if f.statuses and not for_sites:
        w.add("st.status = ANY(:station_statuses)", station_statuses=f.statuses)


_KIND_WORDS = "^(" + "|".join(p.strip() for p in CommuneIndex.PREFIXES) + ") "


def _site_clauses(f: StationFilter, w: _Where, *, for_sites: bool) -> None:
    """Conditions on a site row ``s``."""
    if f.pole_classes:
        w.add("s.pole_class = ANY(:pole_classes)", pole_classes=f.pole_classes)
    if f.statuses and for_sites:
        w.add("s.status = ANY(:site_statuses)", site_statuses=f.statuses)
    if f.admin_unit:
        # Sites point at their commune; a province or a former district matches by its outline.
        # Any unit answers to its code; by name, only units in force today (names repeat over time).
        # The units named are found once (ARRAY(...) is evaluated before the scan, not per site): a
        # commune by the site's admin_unit_id, anything larger by its outline, through the sites' spatial
        # index in one hashed set (a per-site test of every outline cost 0.5 s at 100,000 sites).
        named = (
            "SELECT a.id FROM admin_unit a WHERE a.level {op} 'commune' AND (a.code = :unit OR (a.valid_to IS NULL "
            f"AND regexp_replace(f_unaccent(lower(a.name)), '{_KIND_WORDS}', '') = :unit_folded))"
        )
        w.add(
            f"(s.admin_unit_id = ANY(ARRAY({named.format(op='=')})) OR s.id IN (SELECT si.id FROM admin_unit au "
            f"JOIN site si ON ST_Intersects(au.geom, si.geom) WHERE au.id = ANY(ARRAY({named.format(op='<>')}))))",
            unit=f.admin_unit,
            unit_folded=CommuneIndex.key(f.admin_unit),
        )
    if f.bbox:
        w.add(
            "s.geom && ST_MakeEnvelope(:bx0, :by0, :bx1, :by1, 4326)",
            bx0=f.bbox[0],
            by0=f.bbox[1],
            bx1=f.bbox[2],
            by1=f.bbox[3],
        )
    if f.within:
        w.add("ST_Intersects(s.geom, ST_SetSRID(ST_GeomFromGeoJSON(:within), 4326))", within=json.dumps(f.within))
    if f.near and f.radius_m is not None:
        w.add(
            "ST_DWithin(s.geom::geography, ST_SetSRID(ST_MakePoint(:near_lon, :near_lat), 4326)::geography, :radius_m)",
            near_lon=f.near[0],
            near_lat=f.near[1],
            radius_m=f.radius_m,
        )


def _text_clause(f: StationFilter, w: _Where, *, for_sites: bool) -> None:
    if not f.q:
        return
    pattern = "%" + fold(f.q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    site_match = "f_unaccent(lower(s.code || ' ' || coalesce(s.address, ''))) LIKE :q"
    station_match = "f_unaccent(lower(st.station_code)) LIKE :q"
    if for_sites:
        w.add(
            f"({site_match} OR EXISTS (SELECT 1 FROM station st WHERE st.site_id = s.id AND {station_match}))",
            q=pattern,
        )
    else:
        w.add(f"({site_match} OR {station_match})", q=pattern)


def _distance_expr(f: StationFilter) -> str:
    if f.near:
        return "ST_Distance(s.geom::geography, ST_SetSRID(ST_MakePoint(:near_lon, :near_lat), 4326)::geography)"
    return "NULL::float8"


def site_where(f: StationFilter) -> _Where:
    w = _Where()
    _site_clauses(f, w, for_sites=True)
    _text_clause(f, w, for_sites=True)
    if f.operators or f.technologies:
        inner = _Where()
        _station_clauses(f, inner, for_sites=True)
        w.add(
            "EXISTS (SELECT 1 FROM station st JOIN organisation o ON o.id = st.operator_id "
            f"WHERE st.site_id = s.id AND {inner.sql()})",
            **inner.params,
        )
    if f.near:
        w.params.update(near_lon=f.near[0], near_lat=f.near[1])
    return w


def station_where(f: StationFilter) -> _Where:
    w = _Where()
    _site_clauses(f, w, for_sites=False)
    _station_clauses(f, w, for_sites=False)
    _text_clause(f, w, for_sites=False)
    if f.near:
        w.params.update(near_lon=f.near[0], near_lat=f.near[1])
    return w


# --- GeoJSON -------------------------------------------------------------------------------------

# A site's properties: SQL over the site row ``s`` (a page of ``site`` with its ``distance_m``), its
# commune ``a`` and its owner ``ow``. Operators, technologies and the number of stations are kept in
# the site row by triggers on station and organisation (migration 0020), not aggregated per request.
_SITE_COLUMNS = {
    "code": "s.code",
    "address": "s.address",
    "commune": "a.name",
    "commune_code": "a.code",
    "pole_class": "s.pole_class",
    "pole_height_m": "s.pole_height_m",
    "building_height_m": "s.building_height_m",
    "status": "s.status",
    "owner": "ow.short_name",
    "provenance": "s.provenance",
    "source_crs": "s.source_crs",
    "operators": "s.operators",
    "technologies": "s.technologies",
    "station_count": "s.station_count",
    "distance_m": "round(CAST(s.distance_m AS numeric), 3)",
}


def _properties(columns: dict[str, str], fields: Collection[str] | None) -> str:
    """json_build_object of the columns a reader may see (``fields``; None for all)."""
    pairs = [f"'{key}', {expr}" for key, expr in columns.items() if fields is None or key in fields]
    return "json_build_object(" + ", ".join(pairs) + ")"


def _site_feature(fields: Collection[str] | None) -> tuple[str, str]:
    """(the GeoJSON Feature of the site row ``s`` as text, the joins it needs after ``s``).

    Written as text by concatenation, the properties by ``row_to_json`` of the visible columns: a
    third less time than nested ``json_build_object``s aggregated by ``json_agg`` (measured on pages of
    1,000 sites); the commune and the owner are joined only when the reader may see them."""
    keys = [k for k in _SITE_COLUMNS if fields is None or k in fields]
    joins = ""
    if {"commune", "commune_code"} & set(keys):
        joins += " LEFT JOIN admin_unit a ON a.id = s.admin_unit_id"
    if "owner" in keys:
        joins += " LEFT JOIN organisation ow ON ow.id = s.owner_id"
    joins += " CROSS JOIN LATERAL (SELECT " + ", ".join(f"{_SITE_COLUMNS[k]} AS {k}" for k in keys) + ") p"
    feature = (
        """'{"type": "Feature", "id": ' || to_json(s.code)::text || ', "geometry": ' || ST_AsGeoJSON(s.geom, 7)"""
        """ || ', "properties": ' || row_to_json(p)::text || '}'"""
    )
    return feature, joins


def _order(f: StationFilter, key: str, page: str = "") -> str:
    """ORDER BY of a list: by ``key``, or nearest first with ``near`` (``page``: the page's alias + ".")."""
    return f"{page}distance_m, {key}" if f.near else key


@dataclass(frozen=True)
class FeaturePage:
    """One page of features as PostGIS wrote them (``features``: a JSON array, as text), how many it
    holds, and how many match (``matched``: None when not counted; counted up to the ceiling asked
    for, so ``matched == ceiling`` means "at least that many")."""

    features: str
    returned: int
    matched: int | None = None

    def collection(self, **members: Any) -> str:
        """The FeatureCollection (text) with ``numberReturned`` and ``members`` (JSON-encoded here;
        the features are passed through as PostGIS wrote them, never parsed)."""
        parts = [f'"type": "FeatureCollection", "features": {self.features}', f'"numberReturned": {self.returned}']
        parts += [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in members.items()]
        return "{" + ", ".join(parts) + "}"


def _count_upto(table_sql: str, where: _Where, count_max: int | None) -> str:
    """SQL of the number of rows matching, counted up to ``:count_max`` (NULL when not asked), in the
    select list of a page's aggregate (``count(*)``: the rows of the page). A page that is not full
    and not past the end tells the number itself, and the count is not run (a subquery in a CASE
    branch not taken is never evaluated): most map pages."""
    if count_max is None:
        return "CAST(NULL AS bigint)"
    return (
        "CASE WHEN count(*) < :limit AND (count(*) > 0 OR :offset = 0) THEN :offset + count(*) "
        f"ELSE (SELECT count(*) FROM (SELECT 1 {table_sql} WHERE {where.sql()} LIMIT :count_max) matched) END"
    )


@lru_cache(maxsize=512)
def _statement(sql: str) -> TextClause:
    """The ``text()`` of a list's SQL, made once per distinct SQL: making one parses the text for its
    bind parameters, 0.1 ms of a 1 ms nearest-10 (bench/tipg.py). The SQL of a page depends only on
    which filters are set, which fields the reader sees and, for nearest, how many (every other value
    is a bound parameter), so there are few of them; SQLAlchemy reuses its compiled form by the text."""
    return text(sql)


def _fetch_page(session: Session, sql: str, params: dict[str, Any], count_max: int | None) -> FeaturePage:
    features, returned, matched = read_one(session, _statement(sql), dict(params, count_max=count_max))
    return FeaturePage(str(features), int(returned), None if matched is None else int(matched))


def site_count(session: Session, f: StationFilter) -> int:
    w = site_where(f)
    return int(session.execute(text(f"SELECT count(*) FROM site s WHERE {w.sql()}"), w.params).scalar_one())


def station_count(session: Session, f: StationFilter) -> int:
    w = station_where(f)
    sql = (
        f"SELECT count(*) FROM station st JOIN site s ON s.id = st.site_id "
        f"JOIN organisation o ON o.id = st.operator_id WHERE {w.sql()}"
    )
    return int(session.execute(text(sql), w.params).scalar_one())


def _collection(features_sql: str, extra: str = "") -> str:
    return f"""
    SELECT json_build_object(
        'type', 'FeatureCollection',
        'features', coalesce(json_agg(feature ORDER BY ord), '[]'::json){extra}
    )::text FROM ({features_sql}) f"""


def site_page(
    session: Session,
    f: StationFilter,
    *,
    limit: int,
    offset: int = 0,
    fields: Collection[str] | None = None,
    count_max: int | None = None,
) -> FeaturePage:
    """A page of the sites matching ``f`` and, when ``count_max`` is given, how many match (up to it),
    in one statement: one snapshot, one round trip."""
    w = site_where(f)
    feature, joins = _site_feature(fields)
    sql = f"""
        SELECT '[' || coalesce(string_agg({feature}, ', ' ORDER BY {_order(f, "s.code", "s.")}), '') || ']',
               count(*), {_count_upto("FROM site s", w, count_max)}
        FROM (SELECT s.*, {_distance_expr(f)} AS distance_m FROM site s WHERE {w.sql()}
              ORDER BY {_order(f, "s.code")} LIMIT :limit OFFSET :offset) s
        {joins}"""
    return _fetch_page(session, sql, dict(w.params, limit=limit, offset=offset), count_max)


def site_feature_collection(
    session: Session,
    f: StationFilter,
    *,
    limit: int,
    offset: int = 0,
    extra: dict[str, Any] | None = None,
    fields: Collection[str] | None = None,
) -> str:
    """A FeatureCollection (text) of the sites matching ``f``, page by page (with ``extra``: and
    ``numberReturned`` and those members)."""
    page = site_page(session, f, limit=limit, offset=offset, fields=fields)
    if extra is None:
        return '{"type": "FeatureCollection", "features": ' + page.features + "}"
    return page.collection(**extra)


def _run_collection(
    session: Session,
    features: str,
    params: dict[str, Any],
    limit: int,
    offset: int,
    extra: dict[str, Any] | None,
) -> str:
    extra_sql = ""
    bind = dict(params, limit=limit, offset=offset)
    if extra:
        extra_sql = ", 'numberReturned', count(*)"
        for i, (key, value) in enumerate(extra.items()):
            extra_sql += f", '{key}', CAST(:extra_{i} AS json)"
            bind[f"extra_{i}"] = json.dumps(value, ensure_ascii=False)
    return str(session.execute(text(_collection(features, extra_sql)), bind).scalar_one())


_STATION_COLUMNS = {
    "id": "st.id",
    "station_code": "st.station_code",
    "operator": "o.short_name",
    "operator_code": "o.code",
    "site_code": "s.code",
    "technologies": "st.technologies",
    "bands": "st.bands",
    "status": "st.status",
    "commissioning_date": "st.commissioning_date",
    "address": "s.address",
    "commune": "a.name",
    "pole_class": "s.pole_class",
    "pole_height_m": "s.pole_height_m",
    "distance_m": "round(CAST(page.distance_m AS numeric), 3)",
}

_STATION_FROM = """
    FROM station st JOIN site s ON s.id = st.site_id JOIN organisation o ON o.id = st.operator_id"""


def _station_features(f: StationFilter, w: _Where, fields: Collection[str] | None) -> str:
    return f"""
        SELECT row_number() OVER (ORDER BY {_order(f, "st.id")}) AS ord, json_build_object(
            'type', 'Feature', 'id', st.id,
            'geometry', CAST(ST_AsGeoJSON(s.geom, 7) AS json),
            'properties', {_properties(_STATION_COLUMNS, fields)}) AS feature
        FROM (SELECT st.id, {_distance_expr(f)} AS distance_m {_STATION_FROM} WHERE {w.sql()}
              ORDER BY {_order(f, "st.id")} LIMIT :limit OFFSET :offset) page
        JOIN station st ON st.id = page.id
        JOIN site s ON s.id = st.site_id
        JOIN organisation o ON o.id = st.operator_id
        LEFT JOIN admin_unit a ON a.id = s.admin_unit_id
        ORDER BY {_order(f, "st.id")}"""


def station_page(
    session: Session,
    f: StationFilter,
    *,
    limit: int,
    offset: int = 0,
    fields: Collection[str] | None = None,
    count_max: int | None = None,
) -> FeaturePage:
    """A page of the stations matching ``f`` and, when ``count_max`` is given, how many match (up to
    it), in one statement."""
    w = station_where(f)
    sql = f"""
        SELECT coalesce(json_agg(feature ORDER BY ord), '[]'::json)::text, count(*),
               {_count_upto(_STATION_FROM, w, count_max)}
        FROM ({_station_features(f, w, fields)}) f"""
    return _fetch_page(session, sql, dict(w.params, limit=limit, offset=offset), count_max)


def station_feature_collection(
    session: Session,
    f: StationFilter,
    *,
    limit: int,
    offset: int = 0,
    extra: dict[str, Any] | None = None,
    fields: Collection[str] | None = None,
) -> str:
    w = station_where(f)
    return _run_collection(session, _station_features(f, w, fields), w.params, limit, offset, extra)


# --- Nearest -------------------------------------------------------------------------------------

# The n sites nearest to :lon, :lat by geodesic distance, exactly, in two index scans. Any n sites bound
# the answer: the largest geodesic distance among them is at least the n-th smallest, so the n
# geodesically nearest all lie within it. The n nearest in the plane (the geometry index's KNN, the
# cheapest there is) give a tight bound; DWithin on geography within it (+1 mm for rounding) finds
# the candidates, ordered by their true distance. (Ordering by the planar KNN itself was wrong for
# 11 % of points; the spherical KNN of the geography index costs twice as much for the same bound.)
# ``{n}`` is written into the SQL (a checked int), not bound: with ``LIMIT $n`` PostgreSQL estimates a
# tenth of the table for the prepared statement's generic plan, finds it dearer than planning anew, and
# so plans every execution again (0.3 ms of a 0.6 ms statement); with the number in the text it keeps
# the generic plan, the same scans. One statement per n asked (most ask the default 10).
_NEAREST_SQL = """
    WITH bound AS (
        SELECT max(ST_Distance(k.geom::geography, {pt})) AS d
        FROM (SELECT s.geom FROM site s WHERE {where} ORDER BY s.geom <-> {pt_geom} LIMIT {n}) k
    )
    SELECT s.*, ST_Distance(s.geom::geography, {pt}) AS distance_m
    FROM site s, bound
    WHERE {where} AND ST_DWithin(s.geom::geography, {pt}, bound.d + 0.001)
    ORDER BY distance_m, s.code LIMIT {n}
"""

_POINT_GEOM = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)"
_POINT = f"CAST({_POINT_GEOM} AS geography)"


def _row_count(n: int) -> int:
    """A number of rows to write into SQL: a positive int, nothing else."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"not a positive row count: {n!r}")
    return n


def nearest_page(
    session: Session, f: StationFilter, *, lon: float, lat: float, n: int, fields: Collection[str] | None = None
) -> FeaturePage:
    """The ``n`` sites nearest to (lon, lat) by geodesic distance, nearest first, with ``distance_m``."""
    w = site_where(StationFilter(**{**f.__dict__, "near": None, "radius_m": None}))
    feature, joins = _site_feature(fields)
    sql = f"""
        SELECT '[' || coalesce(string_agg({feature}, ', ' ORDER BY s.distance_m, s.code), '') || ']',
               count(*), CAST(NULL AS bigint)
        FROM ({_NEAREST_SQL.format(where=w.sql(), pt=_POINT, pt_geom=_POINT_GEOM, n=_row_count(n))}) s
        {joins}"""
    return _fetch_page(session, sql, dict(w.params, lon=lon, lat=lat), None)


def nearest_sites(
    session: Session, f: StationFilter, *, lon: float, lat: float, n: int, fields: Collection[str] | None = None
) -> str:
    """The ``n`` sites nearest to (lon, lat) by geodesic distance, as a FeatureCollection (text) with
    ``numberReturned`` and the ``point`` asked about."""
    return nearest_page(session, f, lon=lon, lat=lat, n=n, fields=fields).collection(point=[lon, lat])


# --- Flat rows for spreadsheets and KML ----------------------------------------------------------


def station_rows(session: Session, f: StationFilter, *, limit: int) -> Iterator[dict[str, Any]]:
    """One flat dict per station, in the import template's columns, for CSV / Excel / KML.

    Streamed from a server-side cursor in batches, so a national export never sits in memory whole.
    """
    w = station_where(f)
    sql = f"""
        SELECT st.id, st.station_code, o.short_name AS operator, s.code AS site_code, s.address,
               a.name AS commune, round(CAST(ST_X(s.geom) AS numeric), 7) AS lon,
               round(CAST(ST_Y(s.geom) AS numeric), 7) AS lat, s.pole_class, s.pole_height_m,
               s.building_height_m, st.technologies, st.bands, st.status, st.commissioning_date,
               ow.short_name AS owner, s.provenance, s.source_crs, s.source_x, s.source_y,
               {_distance_expr(f)} AS distance_m
        {_STATION_FROM}
        LEFT JOIN admin_unit a ON a.id = s.admin_unit_id
        LEFT JOIN organisation ow ON ow.id = s.owner_id
        WHERE {w.sql()}
        ORDER BY {_order(f, "o.short_name, st.station_code")}
        LIMIT :limit"""
    # Options on the statement, not the connection (which SQLAlchemy 2 would change for good).
    stmt = text(sql).execution_options(stream_results=True, max_row_buffer=2000)
    result = session.execute(stmt, dict(w.params, limit=limit))
    for row in result.mappings():
        yield dict(row)


# --- The back office's list of sites -------------------------------------------------------------

# The sites a list matches, as a condition on ``s.id`` for a ``SiteCondition``'s CTE to narrow.
LISTED_SITES = "s.id IN (SELECT id FROM listed)"

# Sort keys of the site list and the columns they order by (the code breaks ties).
SITE_SORTS = {
    "code": "s.code",
    "address": "s.address",
    "commune": "a.name",
    "pole_class": "s.pole_class",
    "status": "s.status",
    "updated_at": "s.updated_at",
}


@dataclass(frozen=True)
class SiteCondition:
    """A condition another area puts on the listed sites (the permits area: "has a permit problem"),
    so this module knows nothing of it: ``cte`` ("name AS (SELECT site_id … WHERE {LISTED_SITES})")
    works only on the sites the filter matched, ``condition`` is an SQL condition on ``s`` using it."""

    cte: str
    condition: str
    params: dict[str, Any] = field(default_factory=dict)


def _listed(f: StationFilter, extra: SiteCondition | None) -> tuple[str, str, dict[str, Any]]:
    """(WITH clause, condition on ``s``, params) of the sites matching ``f`` and ``extra``."""
    w = site_where(f)
    if extra is None:
        return "", w.sql(), w.params
    with_sql = f"WITH listed AS MATERIALIZED (SELECT s.id FROM site s WHERE {w.sql()}), {extra.cte}"
    return with_sql, f"{LISTED_SITES} AND {extra.condition}", {**w.params, **extra.params}


def site_rows(
    session: Session,
    f: StationFilter,
    *,
    sort: str = "code",
    descending: bool = False,
    limit: int,
    offset: int = 0,
    extra: SiteCondition | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the sites matching ``f`` (and ``extra``) as flat rows, with how many match: one
    query (the total is a window count over the matches, taken before the page is cut); the
    operators, technologies and number of stations are the site row's (migration 0020)."""
    with_sql, where, params = _listed(f, extra)
    order = SITE_SORTS[sort] + (" DESC NULLS LAST" if descending else " ASC NULLS LAST")
    sql = f"""
        {with_sql}
        SELECT page.total, s.code, s.address, a.name AS commune, s.entered_admin_unit, s.pole_class,
               s.pole_height_m, s.building_height_m, s.status, ow.short_name AS owner, s.updated_at,
               round(CAST(ST_X(s.geom) AS numeric), 7) AS lon, round(CAST(ST_Y(s.geom) AS numeric), 7) AS lat,
               s.operators, s.technologies, s.station_count
        FROM (SELECT s.id, count(*) OVER () AS total, row_number() OVER (ORDER BY {order}, s.code) AS ord
              FROM site s LEFT JOIN admin_unit a ON a.id = s.admin_unit_id
              WHERE {where} ORDER BY {order}, s.code LIMIT :limit OFFSET :offset) page
        JOIN site s ON s.id = page.id
        LEFT JOIN admin_unit a ON a.id = s.admin_unit_id
        LEFT JOIN organisation ow ON ow.id = s.owner_id
        ORDER BY page.ord"""
    rows = [dict(r) for r in session.execute(text(sql), dict(params, limit=limit, offset=offset)).mappings()]
    if rows:
        total = int(rows[0].pop("total"))
        for r in rows[1:]:
            del r["total"]
    elif offset:  # a page past the end: count the matches on their own
        count = f"{with_sql} SELECT count(*) FROM site s WHERE {where}"
        total = int(session.execute(text(count), params).scalar_one())
    else:
        total = 0
    return rows, total


def site_collection(
    session: Session,
    f: StationFilter,
    *,
    sort: str = "code",
    descending: bool = False,
    limit: int,
    extra: SiteCondition | None = None,
) -> str:
    """The sites matching ``f`` (and ``extra``) as a GeoJSON FeatureCollection (text), in the list's
    order and with the list's columns, built by PostGIS."""
    with_sql, where, params = _listed(f, extra)
    order = SITE_SORTS[sort] + (" DESC NULLS LAST" if descending else " ASC NULLS LAST")
    features = f"""
        SELECT row_number() OVER (ORDER BY {order}, s.code) AS ord, json_build_object(
            'type', 'Feature', 'id', s.code,
            'geometry', CAST(ST_AsGeoJSON(s.geom, 7) AS json),
            'properties', {_properties(_SITE_COLUMNS, [k for k in _SITE_COLUMNS if k != "distance_m"])}) AS feature
        FROM site s
        LEFT JOIN admin_unit a ON a.id = s.admin_unit_id
        LEFT JOIN organisation ow ON ow.id = s.owner_id
        WHERE {where}
        ORDER BY {order}, s.code LIMIT :limit"""
    sql = f"{with_sql} " + _collection(features)
    return str(session.execute(text(sql), dict(params, limit=limit)).scalar_one())


def commune_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the communes in force where a site stands, by name: the site list's commune filter."""
    rows = session.execute(
        text(
            "SELECT a.code, a.name FROM admin_unit a WHERE a.level = 'commune' AND a.valid_to IS NULL "
            "AND EXISTS (SELECT 1 FROM site s WHERE s.admin_unit_id = a.id) ORDER BY f_unaccent(lower(a.name)), a.code"
        )
    )
    return [(str(code), str(name)) for code, name in rows]


# --- EMF safety distances ------------------------------------------------------------------------

# What a safety-distance wedge may tell (``fields``: the reader's visible fields; None for all).
_WEDGE_COLUMNS = {
    "site_code": "sec.site_code",
    "operator": "sec.operator",
    "station_code": "sec.station_code",
    "sector_no": "sec.sector_no",
    "azimuth_deg": "sec.azimuth_deg",
    "eirp_w": "sec.eirp_w",
    "compliance_distance_m": "sec.r",
    "beamwidth_deg": "CAST(:beamwidth AS float8)",
}


def _sectors_sql(where: str, limit_w_m2: str) -> str:
    """The sectors with an EIRP of the sites matching ``where`` (on ``s``), each with its distance ``r``."""
    return f"""
        SELECT s.code AS site_code, s.geom, o.short_name AS operator, st.station_code, st.id AS station_id,
               se.sector_no, se.azimuth_deg, se.eirp_w, {distance_sql("se.eirp_w", limit_w_m2)} AS r
        FROM sector se JOIN station st ON st.id = se.station_id JOIN site s ON s.id = st.site_id
        JOIN organisation o ON o.id = st.operator_id
        WHERE se.eirp_w IS NOT NULL AND {where}"""


def safety_distance_count(session: Session, *, code: str | None = None, f: StationFilter | None = None) -> int:
    """How many sectors with an EIRP the site ``code`` or the sites matching ``f`` have."""
    where, params = _wedge_where(code, f)
    sql = f"SELECT count(*) FROM ({_sectors_sql(where, ':limit_w_m2')}) sec"
    return int(session.execute(text(sql), dict(params, limit_w_m2=1.0)).scalar_one())


def _wedge_where(code: str | None, f: StationFilter | None) -> tuple[str, dict[str, Any]]:
    if code is not None:
        return "s.code = :site_code", {"site_code": code}
    w = site_where(f or StationFilter())
    return w.sql(), w.params


def safety_distances(
    session: Session,
    *,
    limit_w_m2: float,
    beamwidth_deg: float,
    code: str | None = None,
    f: StationFilter | None = None,
    fields: Collection[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """A FeatureCollection (text) of one wedge per sector with an EIRP, of the site ``code`` or the sites
    matching ``f``: centred on the site, along the sector's azimuth, ``beamwidth_deg`` wide, its radius
    the sector's safety distance. The arc is projected on the WGS 84 spheroid (``ST_Project`` on
    geography), a vertex every 4° or closer."""
    where, params = _wedge_where(code, f)
    steps = max(2, math.ceil(beamwidth_deg / 4))
    features = f"""
        SELECT row_number() OVER (ORDER BY sec.site_code, sec.station_id, sec.sector_no) AS ord,
               json_build_object('type', 'Feature',
                   'geometry', CAST(ST_AsGeoJSON(w.wedge, 7) AS json),
                   'properties', {_properties(_WEDGE_COLUMNS, fields)}) AS feature
        FROM ({_sectors_sql(where, ":limit_w_m2")}) sec
        CROSS JOIN LATERAL (
            SELECT ST_MakePolygon(ST_MakeLine(ARRAY[sec.geom] || array_agg(
                CAST(ST_Project(CAST(sec.geom AS geography), CAST(sec.r AS float8),
                     radians(sec.azimuth_deg - :beamwidth / 2 + :beamwidth * i / :steps)) AS geometry)
                ORDER BY i) || ARRAY[sec.geom])) AS wedge
            FROM generate_series(0, :steps) i
        ) w
        WHERE sec.r > 0
        ORDER BY sec.site_code, sec.station_id, sec.sector_no"""
    bind = dict(params, limit_w_m2=limit_w_m2, beamwidth=beamwidth_deg, steps=steps)
    return _run_collection(session, features, bind, 0, 0, extra)
