"""Migration 0020 on a registry that already has sites and stations: the summary is filled in for
every site, and going back to 0019 leaves the map keys kept as before and no trace of the columns,
the organisation trigger or the fill factor; then forward again to the head."""

from __future__ import annotations

import psycopg

from registry.migrations import downgrade, upgrade
from registry.replicas import conninfo
from tests.scratch import scratch_database

SITES = """
INSERT INTO site (code, geom, source_crs, source_x, source_y, provenance, status)
SELECT 'M-' || g, ST_SetSRID(ST_MakePoint(106.6 + g * 0.001, 20.8), 4326), 4326, 106.6 + g * 0.001, 20.8, 'gps',
       'operating'
FROM generate_series(1, 6) g"""
STATIONS = """
INSERT INTO station (operator_id, station_code, site_id, technologies, status)
SELECT o.id, o.code || '-' || s.code, s.id, CAST(CASE WHEN o.code = 'VNPT' THEN '{5G,2G}' ELSE '{4G}' END AS varchar[]),
       'operating'
FROM site s JOIN organisation o ON o.code IN ('VIETTEL', 'VNPT')
WHERE s.code IN ('M-1', 'M-2') OR (s.code = 'M-3' AND o.code = 'VNPT')"""
SUMMARY = "SELECT code, operators, technologies, station_count FROM site ORDER BY code"


def test_0020_fills_the_summary_and_goes_back_cleanly() -> None:
    with scratch_database("m0020", migrated=False) as url:
        dsn = conninfo(url)
        upgrade(url, "0019")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(SITES)
            conn.execute(STATIONS)
            keys = conn.execute("SELECT code, map_keys FROM site ORDER BY code").fetchall()
        upgrade(url, "0020")
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute(SUMMARY).fetchall() == [
                ("M-1", ["VNPT", "Viettel"], ["2G", "4G", "5G"], 2),
                ("M-2", ["VNPT", "Viettel"], ["2G", "4G", "5G"], 2),
                ("M-3", ["VNPT"], ["2G", "5G"], 1),
                ("M-4", [], [], 0),
                ("M-5", [], [], 0),
                ("M-6", [], [], 0),
            ]
            assert conn.execute("SELECT code, map_keys FROM site ORDER BY code").fetchall() == keys
            assert conn.execute("SELECT reloptions FROM pg_class WHERE relname = 'site'").fetchone()[0] == [
                "fillfactor=85"
            ]
        downgrade(url, "0019")
        with psycopg.connect(dsn, autocommit=True) as conn:
            columns = {
                r[0]
                for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'site'")
            }
            assert {"operators", "technologies", "station_count"}.isdisjoint(columns) and "map_keys" in columns
            assert conn.execute("SELECT reloptions FROM pg_class WHERE relname = 'site'").fetchone()[0] is None
            assert not conn.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'organisation_site_names'").fetchall()
            conn.execute("DELETE FROM station WHERE site_id = (SELECT id FROM site WHERE code = 'M-3')")
            assert conn.execute("SELECT map_keys FROM site WHERE code = 'M-3'").fetchone()[0] == []
            conn.execute("UPDATE organisation SET short_name = 'Viettel 2' WHERE code = 'VIETTEL'")
        upgrade(url, "head")
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute(SUMMARY).fetchall()[:3] == [
                ("M-1", ["VNPT", "Viettel 2"], ["2G", "4G", "5G"], 2),
                ("M-2", ["VNPT", "Viettel 2"], ["2G", "4G", "5G"], 2),
                ("M-3", [], [], 0),
            ]
