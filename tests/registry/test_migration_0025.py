"""Migration 0025: stations inserted onto sites keep every summary exact (the sites that do not count
them yet are recomputed); going back to 0024 puts the trigger function back as 0023 wrote it."""

from __future__ import annotations

import psycopg

from registry.migrations import downgrade, upgrade
from registry.replicas import conninfo
from tests.registry.test_migration_0020 import SITES, STATIONS, SUMMARY
from tests.scratch import scratch_database

FUNCTION = "SELECT prosrc FROM pg_proc WHERE proname = 'site_map_keys_apply'"


def test_0025_keeps_summaries_exact_and_goes_back() -> None:
    with scratch_database("m0025", migrated=False) as url:
        dsn = conninfo(url)
        upgrade(url, "0024")
        with psycopg.connect(dsn, autocommit=True) as conn:
            before = conn.execute(FUNCTION).fetchone()
        upgrade(url, "0025")
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute(FUNCTION).fetchone() != before
            conn.execute(SITES)
            conn.execute(STATIONS)  # one INSERT onto three sites, none of which counts them yet
            assert conn.execute(SUMMARY).fetchall() == [
                ("M-1", ["VNPT", "Viettel"], ["2G", "4G", "5G"], 2),
                ("M-2", ["VNPT", "Viettel"], ["2G", "4G", "5G"], 2),
                ("M-3", ["VNPT"], ["2G", "5G"], 1),
                ("M-4", [], [], 0),
                ("M-5", [], [], 0),
                ("M-6", [], [], 0),
            ]
        downgrade(url, "0024")
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute(FUNCTION).fetchone() == before
