"""Grid counts: a site whose stations change moves only the keys that changed.

When a station is added to a site (an operator's file co-locating on sites already in the registry), the
station trigger rewrites the site's ``map_keys`` (migrations 0012/0020) and the site trigger then took
every cell of the site away and put every cell back: all its keys × 13 levels twice, for one new key
('o:<operator>'). For 5,000 sites that was 2.5 s of a 2.6 s statement (bench/imports.py, EXPLAIN ANALYZE).
Now a site whose position and status are unchanged has only its removed keys taken away and its new
keys added; a moved site, or one whose status changed, is counted again in full as before. The same
cells result.

The function also plans without nested loops: PL/pgSQL keeps a statement's plan for the life of the
connection, and a plan made when the transition tables held one row joined old and new rows by a
nested loop ever after (2,000 changed sites: 4 million comparisons, 8 s). Its only joins are of the
transition tables with each other (the upsert finds its cells by the primary key either way).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALF = 20037508.342789244  # half the Web-Mercator world's width, metres


def _cells(points: str, sign: str) -> str:
    """Upsert the cells of ``points`` (an SQL set of ``geom`` and the ``keys`` to count it under)."""
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
        SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy;"""


def _all_keys(rows: str) -> str:
    return f"SELECT geom, ARRAY['*', 's:' || status] || map_keys AS keys FROM {rows}"


_MOVED = "o.geom::bytea IS DISTINCT FROM n.geom::bytea OR o.status IS DISTINCT FROM n.status"


def _update(side: str) -> str:
    """An UPDATE's cells on one side: in full for the moved (or re-statused) sites, and for the others
    only the keys that side has and the other has not."""
    other = "n" if side == "o" else "o"
    moved = _all_keys(f"(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {_MOVED}) m")
    keys = f"""
        SELECT {side}.geom, ARRAY(SELECT unnest({side}.map_keys) EXCEPT SELECT unnest({other}.map_keys)) AS keys
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE NOT ({_MOVED}) AND o.map_keys IS DISTINCT FROM n.map_keys"""
    return f"SELECT * FROM ({moved}) a UNION ALL SELECT * FROM ({keys}) b"


def upgrade() -> None:
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION site_cell_apply() RETURNS trigger LANGUAGE plpgsql
        SET work_mem = '64MB' SET enable_nestloop = off AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN {_cells(_update("o"), "-")} {_cells(_update("n"), "")}
            ELSIF TG_OP = 'DELETE' THEN {_cells(_all_keys("old_rows"), "-")}
            ELSE {_cells(_all_keys("new_rows"), "")}
            END IF;
            RETURN NULL;
        END $$"""
    )


def _changed_0021(side: str) -> str:
    return (
        f"(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id "
        "WHERE o.geom::bytea IS DISTINCT FROM n.geom::bytea OR o.status IS DISTINCT FROM n.status "
        "OR o.map_keys IS DISTINCT FROM n.map_keys) AS changed"
    )


def downgrade() -> None:
    op.execute("ALTER FUNCTION site_cell_apply() RESET enable_nestloop")
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION site_cell_apply() RETURNS trigger LANGUAGE plpgsql SET work_mem = '64MB' AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN {_cells(_all_keys(_changed_0021("o")), "-")}
                                     {_cells(_all_keys(_changed_0021("n")), "")}
            ELSIF TG_OP = 'DELETE' THEN {_cells(_all_keys("old_rows"), "-")}
            ELSE {_cells(_all_keys("new_rows"), "")}
            END IF;
            RETURN NULL;
        END $$"""
    )
