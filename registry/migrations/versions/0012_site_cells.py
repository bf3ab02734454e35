"""Site counts on a global grid, kept by triggers, so far-out vector tiles need no aggregation.

Level L divides the Web-Mercator square into 2^L x 2^L cells; levels 5-17 are kept, which covers
tile zooms 0-12 at 32 cells per tile side (registry/stations/tiles.py). A cell holds, per key, its
number of sites and the sums of their Mercator coordinates (a cluster is drawn at their mean). The
keys are what a map layer may be narrowed by: '*' (every site), 's:<site status>', and, from the
site's stations, 'o:<operator id>' and 't:<technology>' (kept in site.map_keys by a trigger on
station). Statement triggers with transition tables apply a whole bulk insert, update or delete in
one grouped upsert.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALF = 20037508.342789244  # half the Web-Mercator world's width, metres

# The keys of the stations of the site a.id, sorted.
STATION_KEYS = """coalesce((SELECT array_agg(k ORDER BY k) FROM (
        SELECT 'o:' || st.operator_id AS k FROM station st WHERE st.site_id = a.id
        UNION SELECT 't:' || t FROM station st, unnest(st.technologies) t WHERE st.site_id = a.id) q), '{}')"""


def _cells(rows: str, sign: str, *, upsert: bool = True) -> str:
    conflict = (
        "ON CONFLICT (key, level, gx, gy) DO UPDATE "
        "SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy"
        if upsert
        else ""
    )
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
        {conflict};"""


def _changed(side: str) -> str:
    """The old (``o``) or new (``n``) rows of an update that moved a site or changed its keys; an
    edit of its address or notes leaves the counts alone."""
    return (
        f"(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id "
        "WHERE o.geom::bytea IS DISTINCT FROM n.geom::bytea OR o.status IS DISTINCT FROM n.status "
        "OR o.map_keys IS DISTINCT FROM n.map_keys) AS changed"
    )


def _station_keys(rows: str) -> str:
    return f"""
        UPDATE site s SET map_keys = k.keys
        FROM (SELECT a.id, {STATION_KEYS} AS keys FROM (SELECT DISTINCT site_id AS id FROM {rows}) a) k
        WHERE s.id = k.id AND s.map_keys IS DISTINCT FROM k.keys;"""


def upgrade() -> None:
    op.execute("ALTER TABLE site ADD COLUMN map_keys text[] DEFAULT '{}' NOT NULL")
    op.execute(
        """
        CREATE TABLE site_cell (
            key text NOT NULL,
            level smallint NOT NULL,
            gx integer NOT NULL,
            gy integer NOT NULL,
            n integer NOT NULL,
            sx double precision NOT NULL,
            sy double precision NOT NULL,
            CONSTRAINT pk_site_cell PRIMARY KEY (key, level, gx, gy)
        )"""
    )
    op.execute(
        f"""
        CREATE FUNCTION site_cell_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN {_cells(_changed("o"), "-")} {_cells(_changed("n"), "")}
            ELSIF TG_OP = 'DELETE' THEN {_cells("old_rows", "-")}
            ELSE {_cells("new_rows", "")}
            END IF;
            RETURN NULL;
        END $$"""
    )
    op.execute(
        f"""
        CREATE FUNCTION site_map_keys_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN {_station_keys("old_rows")}
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN {_station_keys("new_rows")}
            END IF;
            RETURN NULL;
        END $$"""
    )
    for table, function in (("site", "site_cell_apply"), ("station", "site_map_keys_apply")):
        op.execute(
            f"CREATE TRIGGER {table}_cells_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_cells_update AFTER UPDATE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_cells_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    # Existing sites: their keys (the site triggers fire and fill the cells).
    op.execute(
        f"UPDATE site a SET map_keys = {STATION_KEYS} WHERE EXISTS (SELECT 1 FROM station st WHERE st.site_id = a.id)"
    )
    op.execute("TRUNCATE site_cell")
    op.execute(_cells("site", "", upsert=False))


def downgrade() -> None:
    for table in ("site", "station"):
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_cells_{event} ON {table}")
    op.execute("DROP FUNCTION site_map_keys_apply()")
    op.execute("DROP FUNCTION site_cell_apply()")
    op.execute("DROP TABLE site_cell")
    op.execute("ALTER TABLE site DROP COLUMN map_keys")
