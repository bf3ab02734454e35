"""Grid counts kept for levels 5–15 only (zooms 0–10); zooms 11 and 12 are clustered from the sites.

At levels 16 and 17 (cells of about 600 and 300 m) a cell holds one site or two: those levels were 70 %
of the rows every new site added to ``site_cell`` (an import of 5,000 new sites upserted 89,814 cells,
63,825 of them at levels 16–17; the upsert was most of the 0.5 s the trigger took) and they saved
nothing when drawn. Measured at 1,000,000 sites (bench/tiles.py's database, tiles around 100 random
sites; the target is 50 ms at p95): clustered from the sites, zoom 11 takes p95 12 ms unfiltered, 23 ms
for one operator, 20 ms for 5G (from the grid: 9, 8, 4 ms); zoom 12 4, 8, 7 ms (grid: 5, 5, 3 ms).
Zoom 10 stays on the grid (from the sites: 84 ms at p95).

The finest kept level is now grouped from the sites and each coarser one from the one below, as in
0023. Downgrade counts levels 16 and 17 again from every site.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALF = 20037508.342789244  # half the Web-Mercator world's width, metres
COARSEST = 5


def _cells(points: str, sign: str, finest: int) -> str:
    """Upsert the cells of ``points`` (an SQL set of ``geom`` and the ``keys`` to count it under) at
    levels ``finest``..5: the finest grouped from the points, each coarser level from the one below."""
    levels = [
        f"""c{finest} AS MATERIALIZED (
            SELECT k COLLATE "C" AS k, floor((p.x + {HALF}) / ({2 * HALF} / 2 ^ {finest}))::int AS gx,
                   floor(({HALF} - p.y) / ({2 * HALF} / 2 ^ {finest}))::int AS gy,
                   count(*)::int AS n, sum(p.x) AS sx, sum(p.y) AS sy
            FROM p CROSS JOIN LATERAL unnest(p.keys) AS k GROUP BY 1, 2, 3)"""
    ]
    for level in range(finest - 1, COARSEST - 1, -1):
        levels.append(
            f"""c{level} AS MATERIALIZED (
            SELECT k, gx >> 1 AS gx, gy >> 1 AS gy, sum(n)::int AS n, sum(sx) AS sx, sum(sy) AS sy
            FROM c{level + 1} GROUP BY 1, 2, 3)"""
        )
    union = " UNION ALL ".join(
        f"SELECT k, {level}, gx, gy, {sign}n, {sign}sx, {sign}sy FROM c{level}"
        for level in range(finest, COARSEST - 1, -1)
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


def _run(sql: str) -> str:
    tag = "$q$"
    assert tag not in sql
    return f"EXECUTE {tag}{sql}{tag};"


def _function(finest: int) -> None:
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION site_cell_apply() RETURNS trigger LANGUAGE plpgsql
        SET work_mem = '64MB' SET enable_nestloop = off AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN {_run(_cells(_update("o"), "-", finest))} {_run(_cells(_update("n"), "", finest))}
            ELSIF TG_OP = 'DELETE' THEN {_run(_cells(_all_keys("old_rows"), "-", finest))}
            ELSE {_run(_cells(_all_keys("new_rows"), "", finest))}
            END IF;
            RETURN NULL;
        END $$"""
    )


def upgrade() -> None:
    _function(15)
    op.execute("DELETE FROM site_cell WHERE level > 15")


def downgrade() -> None:
    _function(17)
    op.execute(
        f"""
        WITH p AS MATERIALIZED (
            SELECT ST_X(m) AS x, ST_Y(m) AS y, keys
            FROM (SELECT ST_Transform(geom, 3857) AS m, keys FROM ({_all_keys("site")}) q
                  WHERE geom IS NOT NULL AND cardinality(keys) > 0) t
        ),
        c17 AS MATERIALIZED (
            SELECT k COLLATE "C" AS k, floor((p.x + {HALF}) / ({2 * HALF} / 2 ^ 17))::int AS gx,
                   floor(({HALF} - p.y) / ({2 * HALF} / 2 ^ 17))::int AS gy,
                   count(*)::int AS n, sum(p.x) AS sx, sum(p.y) AS sy
            FROM p CROSS JOIN LATERAL unnest(p.keys) AS k GROUP BY 1, 2, 3)
        INSERT INTO site_cell (key, level, gx, gy, n, sx, sy)
        SELECT k, 17, gx, gy, n, sx, sy FROM c17
        UNION ALL
        SELECT k, 16, gx >> 1, gy >> 1, sum(n)::int, sum(sx), sum(sy) FROM c17 GROUP BY 1, 3, 4"""
    )
