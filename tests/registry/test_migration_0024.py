"""Migration 0024: the grid counts stop at level 15, and edits after it keep levels 5–15 exact; going
back to 0023 counts levels 16 and 17 again from every site, exactly, and its trigger keeps them."""

from __future__ import annotations

import psycopg

from registry.migrations import downgrade, upgrade
from registry.replicas import conninfo
from tests.registry.test_migration_0020 import SITES, STATIONS
from tests.scratch import scratch_database

HALF = 20037508.342789244
# Every site's cells counted from scratch at levels 5..:top (rounded sums: the triggers add in another order).
EXPECTED = f"""
    WITH p AS (SELECT ST_X(ST_Transform(geom, 3857)) AS x, ST_Y(ST_Transform(geom, 3857)) AS y,
                      ARRAY['*', 's:' || status] || map_keys AS keys FROM site)
    SELECT k, l, floor((p.x + {HALF}) / ({2 * HALF} / 2 ^ l))::int, floor(({HALF} - p.y) / ({2 * HALF} / 2 ^ l))::int,
           count(*)::int, round(sum(p.x)), round(sum(p.y))
    FROM p, unnest(p.keys) k, generate_series(5, %(top)s) l GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"""
KEPT = "SELECT key, level, gx, gy, n, round(sx), round(sy) FROM site_cell WHERE n <> 0 ORDER BY 1, 2, 3, 4"


def test_0024_keeps_levels_5_to_15_and_goes_back_to_17() -> None:
    with scratch_database("m0024", migrated=False) as url:
        dsn = conninfo(url)
        upgrade(url, "0023")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(SITES)
            conn.execute(STATIONS)
            assert conn.execute(KEPT).fetchall() == conn.execute(EXPECTED, {"top": 17}).fetchall()
            assert conn.execute("SELECT max(level) FROM site_cell").fetchone()[0] == 17
        upgrade(url, "0024")
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute("SELECT max(level) FROM site_cell").fetchone()[0] == 15
            assert conn.execute(KEPT).fetchall() == conn.execute(EXPECTED, {"top": 15}).fetchall()
            # Edits under 0024: a site moved, one added, a station's technologies changed, one deleted.
            conn.execute("UPDATE site SET geom = ST_SetSRID(ST_MakePoint(107.1, 21.0), 4326) WHERE code = 'M-4'")
            conn.execute(SITES.replace("'M-' || g", "'N-' || g").replace("20.8", "20.9").replace("1, 6", "1, 2"))
            conn.execute("UPDATE station SET technologies = '{3G}' WHERE station_code LIKE 'VIETTEL-M-1'")
            conn.execute("DELETE FROM station WHERE station_code = 'VNPT-M-3'")
            assert conn.execute("SELECT max(level) FROM site_cell").fetchone()[0] == 15
            assert conn.execute(KEPT).fetchall() == conn.execute(EXPECTED, {"top": 15}).fetchall()
        downgrade(url, "0023")
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute(KEPT).fetchall() == conn.execute(EXPECTED, {"top": 17}).fetchall()
            conn.execute("UPDATE site SET geom = ST_SetSRID(ST_MakePoint(106.9, 20.7), 4326) WHERE code = 'N-1'")
            assert conn.execute(KEPT).fetchall() == conn.execute(EXPECTED, {"top": 17}).fetchall()
        upgrade(url, "head")
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute(KEPT).fetchall() == conn.execute(EXPECTED, {"top": 15}).fetchall()
