"""Grid counts rolled up level by level, and the station triggers planned for each call.

``site_cell_apply`` (migrations 0012, 0021, 0022) grouped every (site, key) 13 times over, once per
level 5–17: for an import of 5,000 new sites 438,750 rows sorted on a text key and two floating-point
expressions, 0.4 s of the 0.7 s the trigger took (EXPLAIN ANALYZE, bench/imports.py). Now the finest
level (17) is grouped once and each coarser level from the one below it, by halving the cell indexes
(``floor(v / 2^m)`` of an integer cell index is the coarser index exactly: Web-Mercator cell sizes are
the world's width over powers of two, and floating-point division by a power of two is exact), so each
level groups only the cells of the level below. Same cells, same counts; the centroid sums are added
in another order (differences in the last bits of a metre).

Both statement triggers now run their statements through ``EXECUTE``: PL/pgSQL keeps a static
statement's plan for the life of the connection, made for the transition tables of its first call. A
plan made for a bulk import (hash joins, sequential scans of ``station``) then served every later
single edit on that connection, and the other way round (0022 turned nested loops off in
``site_cell_apply`` for that reason; the station trigger had the same exposure). ``EXECUTE`` plans
each call for the rows it has, at a planning cost of about a millisecond.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""

from collections.abc import Callable, Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALF = 20037508.342789244  # half the Web-Mercator world's width, metres
FINEST, COARSEST = 17, 5


def _cells(points: str, sign: str) -> str:
    """Upsert the cells of ``points`` (an SQL set of ``geom`` and the ``keys`` to count it under),
    level 17 grouped from the points, each coarser level from the one below."""
    levels = [
        f"""c{FINEST} AS MATERIALIZED (
            SELECT k COLLATE "C" AS k, floor((p.x + {HALF}) / ({2 * HALF} / 2 ^ {FINEST}))::int AS gx,
                   floor(({HALF} - p.y) / ({2 * HALF} / 2 ^ {FINEST}))::int AS gy,
                   count(*)::int AS n, sum(p.x) AS sx, sum(p.y) AS sy
            FROM p CROSS JOIN LATERAL unnest(p.keys) AS k GROUP BY 1, 2, 3)"""
    ]
    for level in range(FINEST - 1, COARSEST - 1, -1):
        levels.append(
            f"""c{level} AS MATERIALIZED (
            SELECT k, gx >> 1 AS gx, gy >> 1 AS gy, sum(n)::int AS n, sum(sx) AS sx, sum(sy) AS sy
            FROM c{level + 1} GROUP BY 1, 2, 3)"""
        )
    union = " UNION ALL ".join(
        f"SELECT k, {level}, gx, gy, {sign}n, {sign}sx, {sign}sy FROM c{level}"
        for level in range(FINEST, COARSEST - 1, -1)
    )
    return f"""
        WITH p AS MATERIALIZED (
            SELECT ST_X(m) AS x, ST_Y(m) AS y, keys
            FROM (SELECT ST_Transform(geom, 3857) AS m, keys FROM ({points}) q
                  WHERE geom IS NOT NULL AND cardinality(keys) > 0) t
        ),
        {", ".join(levels)}
        INSERT INTO site_cell AS c (key, level, gx, gy, n, sx, sy)
        {union}
        ON CONFLICT (key, level, gx, gy) DO UPDATE
        SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy"""


# 0022's sets of points, frozen.
def _all_keys(rows: str) -> str:
    return f"SELECT geom, ARRAY['*', 's:' || status] || map_keys AS keys FROM {rows}"


_MOVED = "o.geom::bytea IS DISTINCT FROM n.geom::bytea OR o.status IS DISTINCT FROM n.status"


def _update(side: str) -> str:
    other = "n" if side == "o" else "o"
    moved = _all_keys(f"(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {_MOVED}) m")
    keys = f"""
        SELECT {side}.geom, ARRAY(SELECT unnest({side}.map_keys) EXCEPT SELECT unnest({other}.map_keys)) AS keys
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE NOT ({_MOVED}) AND o.map_keys IS DISTINCT FROM n.map_keys"""
    return f"SELECT * FROM ({moved}) a UNION ALL SELECT * FROM ({keys}) b"


# 0020's summary statement and its sets of sites, frozen.
SUMMARY = ("map_keys", "operators", "technologies", "station_count")


def _apply(sites: str) -> str:
    differs = " OR ".join(f"s.{c} IS DISTINCT FROM k.{c}" for c in SUMMARY)
    return f"""
        UPDATE site s SET map_keys = k.map_keys, operators = k.operators, technologies = k.technologies,
                          station_count = k.station_count
        FROM (SELECT a.id, ARRAY(SELECT x FROM unnest(ops.keys || tech.keys) x ORDER BY x) AS map_keys,
                     coalesce(ops.names, '{{}}') AS operators, coalesce(tech.names, '{{}}') AS technologies,
                     ops.n AS station_count
              FROM ({sites}) a
              CROSS JOIN LATERAL (
                  SELECT count(*) AS n, CAST(array_agg(DISTINCT o.short_name ORDER BY o.short_name) AS text[]) AS names,
                         coalesce(array_agg(DISTINCT 'o:' || st.operator_id), '{{}}') AS keys
                  FROM station st JOIN organisation o ON o.id = st.operator_id WHERE st.site_id = a.id) ops
              CROSS JOIN LATERAL (
                  SELECT array_agg(DISTINCT CAST(t AS text) ORDER BY CAST(t AS text)) AS names,
                         coalesce(array_agg(DISTINCT 't:' || t), '{{}}') AS keys
                  FROM station st, unnest(st.technologies) t WHERE st.site_id = a.id) tech) k
        WHERE s.id = k.id AND ({differs})"""


UPDATED_SITES = """
    SELECT DISTINCT v AS id FROM (
        SELECT o.site_id AS was, n.site_id AS now FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
        WHERE o.id IS NULL OR n.id IS NULL OR o.site_id IS DISTINCT FROM n.site_id
           OR o.operator_id IS DISTINCT FROM n.operator_id OR o.technologies IS DISTINCT FROM n.technologies
    ) c, unnest(ARRAY[c.was, c.now]) v WHERE v IS NOT NULL"""
RENAMED_SITES = """
    SELECT DISTINCT st.site_id AS id FROM station st
    WHERE st.operator_id IN (SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
                             WHERE o.short_name IS DISTINCT FROM n.short_name)"""


def _run(sql: str) -> str:
    """``sql`` as a PL/pgSQL statement planned at each call."""
    tag = "$q$"
    assert tag not in sql
    return f"EXECUTE {tag}{sql}{tag};"


def _static(sql: str) -> str:
    """``sql`` as a PL/pgSQL statement whose plan the function keeps (before this migration)."""
    return f"{sql};"


def _functions(cells: Callable[[str, str], str], statement: Callable[[str], str]) -> None:
    """The three trigger functions, their statements made by ``cells`` (the grid's upsert of a set of
    points with a sign) and run as ``statement`` says."""
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION site_cell_apply() RETURNS trigger LANGUAGE plpgsql
        SET work_mem = '64MB' SET enable_nestloop = off AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN {statement(cells(_update("o"), "-"))} {statement(cells(_update("n"), ""))}
            ELSIF TG_OP = 'DELETE' THEN {statement(cells(_all_keys("old_rows"), "-"))}
            ELSE {statement(cells(_all_keys("new_rows"), ""))}
            END IF;
            RETURN NULL;
        END $$"""
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION site_map_keys_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN {statement(_apply(UPDATED_SITES))}
            ELSIF TG_OP = 'DELETE' THEN {statement(_apply("SELECT DISTINCT site_id AS id FROM old_rows"))}
            ELSE {statement(_apply("SELECT DISTINCT site_id AS id FROM new_rows"))}
            END IF;
            RETURN NULL;
        END $$"""
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION site_operator_names_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {statement(_apply(RENAMED_SITES))}
            RETURN NULL;
        END $$"""
    )


def upgrade() -> None:
    _functions(_cells, _run)


def _static_cells(points: str, sign: str) -> str:
    """0022's statement (every level grouped from the points)."""
    return f"""
        WITH p AS MATERIALIZED (
            SELECT ST_X(m) AS x, ST_Y(m) AS y, keys
            FROM (SELECT ST_Transform(geom, 3857) AS m, keys FROM ({points}) q
                  WHERE geom IS NOT NULL AND cardinality(keys) > 0) t
        )
        INSERT INTO site_cell AS c (key, level, gx, gy, n, sx, sy)
        SELECT k, l,
               floor((p.x + {HALF}) / ({2 * HALF} / 2 ^ l))::int, floor(({HALF} - p.y) / ({2 * HALF} / 2 ^ l))::int,
               {sign}count(*), {sign}sum(p.x), {sign}sum(p.y)
        FROM p CROSS JOIN LATERAL unnest(p.keys) AS k CROSS JOIN generate_series(5, 17) AS l
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (key, level, gx, gy) DO UPDATE
        SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy"""


def downgrade() -> None:
    _functions(_static_cells, _static)
