"""The grid counts' trigger at the speed of a bulk import.

Migration 0012's ``site_cell_apply`` let the planner fold the projection of each site into the
grouping, so every site was projected twice per grid level and key (for 5,000 sites: 876,000
``ST_Transform`` calls and a sort spilled to disk; 2 s per statement, measured by bench/imports.py).
Here each changed site is projected once (a materialised CTE) and the grouping hashes in memory.
Same cells, same keys, same statement triggers.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALF = 20037508.342789244  # half the Web-Mercator world's width, metres


def _cells(rows: str, sign: str) -> str:
    return f"""
        WITH p AS MATERIALIZED (
            SELECT ST_X(m) AS x, ST_Y(m) AS y, keys
            FROM (SELECT ST_Transform(geom, 3857) AS m, ARRAY['*', 's:' || status] || map_keys AS keys
                  FROM {rows} WHERE geom IS NOT NULL) t
        )
        INSERT INTO site_cell AS c (key, level, gx, gy, n, sx, sy)
        SELECT k, l,
               floor((p.x + {HALF}) / ({2 * HALF} / 2 ^ l))::int, floor(({HALF} - p.y) / ({2 * HALF} / 2 ^ l))::int,
               {sign}count(*), {sign}sum(p.x), {sign}sum(p.y)
        FROM p CROSS JOIN LATERAL unnest(p.keys) AS k CROSS JOIN generate_series(5, 17) AS l
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (key, level, gx, gy) DO UPDATE
        SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy;"""


def _changed(side: str) -> str:
    return (
        f"(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id "
        "WHERE o.geom::bytea IS DISTINCT FROM n.geom::bytea OR o.status IS DISTINCT FROM n.status "
        "OR o.map_keys IS DISTINCT FROM n.map_keys) AS changed"
    )


def _function(cells: object, options: str) -> str:
    assert callable(cells)
    return f"""
        CREATE OR REPLACE FUNCTION site_cell_apply() RETURNS trigger LANGUAGE plpgsql {options} AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN {cells(_changed("o"), "-")} {cells(_changed("n"), "")}
            ELSIF TG_OP = 'DELETE' THEN {cells("old_rows", "-")}
            ELSE {cells("new_rows", "")}
            END IF;
            RETURN NULL;
        END $$"""


def _cells_0012(rows: str, sign: str) -> str:
    return f"""
        INSERT INTO site_cell AS c (key, level, gx, gy, n, sx, sy)
        SELECT k, l,
               floor((p.x + {HALF}) / ({2 * HALF} / 2 ^ l))::int, floor(({HALF} - p.y) / ({2 * HALF} / 2 ^ l))::int,
               {sign}count(*), {sign}sum(p.x), {sign}sum(p.y)
        FROM (SELECT ST_X(m) AS x, ST_Y(m) AS y, keys
              FROM (SELECT ST_Transform(geom, 3857) AS m, ARRAY['*', 's:' || status] || map_keys AS keys
                    FROM {rows} WHERE geom IS NOT NULL) t) p
             CROSS JOIN LATERAL unnest(p.keys) AS k
             CROSS JOIN generate_series(5, 17) AS l
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (key, level, gx, gy) DO UPDATE
        SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy;"""


def upgrade() -> None:
    # A bulk statement's grouping (13 levels × keys × sites) fits in memory instead of spilling to disk.
    op.execute(_function(_cells, "SET work_mem = '64MB'"))


def downgrade() -> None:
    op.execute(_function(_cells_0012, ""))
    op.execute("ALTER FUNCTION site_cell_apply() RESET work_mem")
