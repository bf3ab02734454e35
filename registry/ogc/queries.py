"""The OGC API's reads, each one statement that PostGIS answers with GeoJSON text.

A page is cut by the collection's id (a stable order for ``offset`` paging), its features written by
``json_build_object`` (numbers stay numbers, dates are ISO text) and passed through untouched. The
conditions (bbox, datetime, the CQL2 filter) meet the stored WGS 84 column with their constants
transformed once (scalar subqueries), so the GiST indexes serve them. How many features match is
counted only when the page is not the last, and then only up to ``count_max`` (numberMatched is
optional in OGC API – Features; past the ceiling the answer leaves it out and still links onward).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.audit.queries import latest_event_id
from registry.ogc.collections import Collection, Prop
from registry.ogc.cql2 import SqlFilter
from registry.ogc.crs import Crs


@dataclass(frozen=True)
class ItemsQuery:
    """What a request for items asks: the collection, the properties the caller sees, the answer's
    CRS, a bbox (in ``bbox_crs``), an interval of days (either end open), a filter, the page."""

    collection: Collection
    props: tuple[Prop, ...]
    crs: Crs
    limit: int
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    bbox_crs: Crs | None = None
    dates: tuple[date | None, date | None] | None = None
    filter: SqlFilter | None = None


@dataclass(frozen=True)
class ItemsPage:
    features: str  # a JSON array, as PostGIS wrote it
    returned: int
    more: bool  # a next page exists
    matched: int | None  # how many match, when known (None: more than the count ceiling)


def _where(q: ItemsQuery) -> tuple[str, dict[str, Any]]:
    c = q.collection
    clauses, params = [c.where], {}
    if q.bbox is not None:
        crs = q.bbox_crs or q.crs
        x0, y0, x1, y1 = q.bbox
        envelope = "ST_MakeEnvelope(:bx0, :by0, :bx1, :by1)"
        if not crs.geographic:  # straight in metres, curved in degrees: densify before transforming
            envelope = f"ST_Segmentize({envelope}, :bstep)"
            params["bstep"] = max(x1 - x0, y1 - y0) / 32 or 1.0
        box, box_params = crs.to_wgs84(envelope, "bbox_proj")
        clauses.append(f"ST_Intersects({c.geometry_sql}, (SELECT {box}))")
        params.update(box_params, bx0=x0, by0=y0, bx1=x1, by1=y1)
    if q.dates is not None and c.temporal is not None:
        first, last = q.dates
        start, end = c.temporal.start, c.temporal.end
        if end is None:  # one day per record
            if first is not None:
                clauses.append(f"{start} >= :d_first")
            if last is not None:
                clauses.append(f"{start} <= :d_last")
        else:  # a validity [start, end), either end open when null, overlapping [first, last]
            if last is not None:
                clauses.append(f"({start} IS NULL OR {start} <= :d_last)")
            if first is not None:
                clauses.append(f"({end} IS NULL OR {end} > :d_first)")
        params.update(d_first=first, d_last=last)
    if q.filter is not None:
        clauses.append(q.filter.sql)
        params.update(q.filter.params)
    return " AND ".join(clauses), params


def _feature(props: tuple[Prop, ...], geometry: str, decimals: int) -> str:
    """The GeoJSON Feature (text) of a row ``f`` (fid, g, and c0… for ``props``)."""
    pairs = ", ".join(f"'{p.name}', f.c{i}" for i, p in enumerate(props))
    return (
        "json_build_object('type', 'Feature', 'id', f.fid, "
        f"'geometry', CAST(ST_AsGeoJSON({geometry}, {decimals}, 0) AS json), "
        f"'properties', json_build_object({pairs}))::text"
    )


def _rows(c: Collection, props: tuple[Prop, ...], where: str) -> str:
    columns = "".join(f", {p.sql} AS c{i}" for i, p in enumerate(props))
    return f"SELECT {c.id_sql} AS fid, {c.geometry_sql} AS g{columns} FROM {c.source} WHERE {where}"


def _in_crs(rows: str, crs: Crs) -> tuple[str, str, str, dict[str, Any]]:
    """(WITH clause, FROM clause ``f``, geometry expression, params) of ``rows`` with their geometry
    in ``crs``.

    PostGIS builds a PROJ object for every call of ST_Transform with a PROJ string (1.2 ms a row:
    1.2 s for a page of 1,000): for those CRSs the page's geometries are collected, in their order,
    transformed in one call and taken back out by their place (3 ms for the same page). A missing
    geometry keeps its place as an empty point and comes out as null."""
    if not crs.needs_proj_string:
        geometry, params = crs.from_wgs84("f.g", "out_proj")
        return "", f"({rows}) f", geometry, params
    collected, params = crs.from_wgs84(
        "ST_Collect(coalesce(r.g, ST_SetSRID(CAST('POINT EMPTY' AS geometry), 4326)) ORDER BY r.n)", "out_proj"
    )
    with_sql = (
        f"WITH r AS MATERIALIZED (SELECT row_number() OVER (ORDER BY r0.fid) AS n, r0.* FROM ({rows}) r0), "
        f"m AS (SELECT {collected} AS gc FROM r)"
    )
    from_sql = (
        "(SELECT r.*, CASE WHEN r.g IS NULL THEN NULL ELSE ST_GeometryN(m.gc, CAST(r.n AS int)) END AS tg FROM r, m) f"
    )
    return with_sql, from_sql, "f.tg", params


def items_page(session: Session, q: ItemsQuery, *, count_max: int) -> ItemsPage:
    """One page of ``q``'s features and whether more follow, in one statement; how many match is
    counted (up to ``count_max``) only when more follow."""
    c = q.collection
    where, params = _where(q)
    # The page's keys first, alone (an index-only scan when the conditions need no join), then its rows:
    # cutting the joined rows themselves sorted all of them for a page deep in the list (0.5 s at
    # offset 50,000 of 100,000 sites).
    keys = f"SELECT {c.id_sql} FROM {c.source} WHERE {where} ORDER BY {c.id_sql} LIMIT :fetch OFFSET :offset"
    rows = _rows(c, q.props, f"{c.id_sql} = ANY(ARRAY({keys}))")
    with_sql, from_sql, geometry, crs_params = _in_crs(rows, q.crs)
    sql = f"""
        {with_sql}
        SELECT coalesce('[' || string_agg(page.feature, ',' ORDER BY page.n) FILTER (WHERE page.n <= :limit) || ']',
                        '[]'),
               count(*) FILTER (WHERE page.n <= :limit),
               count(*) > :limit,
               CASE WHEN count(*) > :limit THEN
                   (SELECT count(*) FROM (SELECT 1 FROM {c.source} WHERE {where} LIMIT :count_max) matched) END
        FROM (
            SELECT row_number() OVER (ORDER BY f.fid) AS n, {_feature(q.props, geometry, q.crs.decimals)} AS feature
            FROM {from_sql}
        ) page"""
    bind = dict(params, **crs_params, limit=q.limit, fetch=q.limit + 1, offset=q.offset, count_max=count_max)
    features, returned, more, counted = session.execute(text(sql), bind).one()
    returned = int(returned)
    if not more:
        matched: int | None = q.offset + returned
    else:
        matched = int(counted) if counted is not None and counted < count_max else None
    return ItemsPage(str(features), returned, bool(more), matched)


def one_item(session: Session, collection: Collection, props: tuple[Prop, ...], crs: Crs, fid: str) -> str | None:
    """The feature ``fid`` of ``collection`` (GeoJSON text), or None."""
    if collection.id_type == "integer":
        if not fid.isdigit() or len(fid) > 18:
            return None
        key: Any = int(fid)
        cast = "bigint"
    else:
        key, cast = fid, "text"
    geometry, crs_params = crs.from_wgs84("f.g", "out_proj")
    where = f"{collection.where} AND {collection.id_sql} = CAST(:fid AS {cast})"
    sql = f"SELECT {_feature(props, geometry, crs.decimals)} FROM ({_rows(collection, props, where)}) f"
    found = session.execute(text(sql), dict(crs_params, fid=key)).scalar_one_or_none()
    return None if found is None else str(found)


@dataclass(frozen=True)
class Extent:
    bbox: tuple[float, float, float, float] | None  # CRS84
    interval: tuple[date | None, date | None] | None


# Extents by collection: (the newest audit event when computed, when, the extent). ST_Extent reads the
# whole table (298 ms for 100,000 sites, every /ogc/collections request, as QGIS connects); the extent is
# computed again once the registry changed (a new audit event) or after EXTENT_MAX_AGE_S (changes that
# write no event, such as loading administrative units).
_EXTENTS: dict[str, tuple[int, float, Extent]] = {}
EXTENT_MAX_AGE_S = 600.0


def extent(session: Session, collection: Collection) -> Extent:
    """The collection's spatial extent (CRS84) and, when its records have dates, their first and last."""
    version, now = latest_event_id(session), time.monotonic()
    kept = _EXTENTS.get(collection.id)
    if kept is not None and kept[0] == version and now - kept[1] < EXTENT_MAX_AGE_S:
        return kept[2]
    found = _extent(session, collection)
    _EXTENTS[collection.id] = (version, now, found)
    return found


def _extent(session: Session, collection: Collection) -> Extent:
    c = collection
    first = last = "NULL"
    if c.temporal is not None:
        # An open end (null) anywhere makes the interval open at that end.
        start, end = c.temporal.start, c.temporal.end or c.temporal.start
        first = f"CASE WHEN bool_or({start} IS NULL) THEN NULL ELSE min({start}) END"
        # The extent's interval is closed: a validity's end column is its first day no longer valid.
        last_day = f"max({end})" if c.temporal.end is None else f"max({end}) - 1"
        last = f"CASE WHEN bool_or({end} IS NULL) THEN NULL ELSE {last_day} END"
    sql = f"""
        SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), first, last
        FROM (SELECT ST_Extent({c.geometry_sql}) AS e, {first} AS first, {last} AS last
              FROM {c.source} WHERE {c.where}) x"""
    x0, y0, x1, y1, first, last = session.execute(text(sql)).one()
    box = None if x0 is None else (float(x0), float(y0), float(x1), float(y1))
    interval = (first, last) if c.temporal is not None else None
    return Extent(box, interval)
