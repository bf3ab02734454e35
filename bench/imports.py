"""The station import against the database: ``python -m bench.imports [--rows 10000] [--rows-big 20000] [--runs 1]``.

On a database of its own (``<db>_imports``, rebuilt, dropped after) with the Hải Phòng administrative
units (and ``--sites`` synthetic sites across Vietnam, 0 by default; the issue measured with 103,200),
an operator's file of issue #19's shape is built in memory as a real .xlsx (the template's Vietnamese
headers): ``--rows`` rows = ``--rows``/2 new sites inside the province × 2 operators, each station with
3 sectors. It goes through ``import_file`` as an upload does, and the bench prints:

- the dry run before any of the file's sites exist (s) and its ratio to the import (target ≤ 0.5: twice as fast);
- the import, committed (s, rows/s, ratio to the target of 5,000 rows/s: ≥ 1 meets it);
- the same file imported again (idempotent: nothing changes; s);
- peak Python memory (tracemalloc) importing ``--rows`` and ``--rows-big`` rows (each in a transaction
  rolled back, on other sites), and their ratio (target about 1: memory flat in the file size);
- the reference: the same rows COPY'd (psycopg's copy, as ``\\copy``) into a scratch table, then typed
  with ``ST_MakePoint`` (s), and the import's ratio to it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from datetime import date, timedelta
from typing import Any

import psycopg
from shapely.geometry import Point, shape
from shapely.prepared import prep
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.databases import bench_database
from fixtures.demo import HAIPHONG, load_admin_units
from fixtures.synthetic import add_synthetic_sites
from registry.audit.context import acting_as
from registry.db import make_engine
from registry.migrations import upgrade
from registry.stations.importer import ImportReport, import_file
from registry.stations.template import BY_KEY
from registry.tabular import write_xlsx

RATE_TARGET = 5_000.0  # rows/s
DRY_RUN_TARGET = 0.5  # dry run / import
OPERATORS = ("Viettel", "MobiFone")
KEYS = (
    "station_code", "operator", "site_code", "address", "lon", "lat", "crs", "provenance", "pole_class",
    "pole_height_m", "technologies", "bands", "status", "commissioning_date", "owner", "azimuths", "tilts", "eirps",
)  # fmt: skip
SPACING_DEG = 0.003  # about 300 m between the generated sites (finer for long files): far over the duplicate distance


def province_points(count: int) -> list[tuple[float, float]]:
    """``count`` grid points inside the (approximate) province boundary, spread over all of it (the grid
    is made finer until there are enough: 100,000 rows need sites about 150 m apart)."""
    fc = json.loads((HAIPHONG / "province.geojson").read_text(encoding="utf-8"))
    province = shape(fc["features"][0]["geometry"])
    inside = prep(province.buffer(-0.01))  # clear of the boundary's slack
    x0, y0, x1, y1 = province.bounds
    spacing = SPACING_DEG
    while True:
        points = []
        y = y0
        while y < y1:
            x = x0
            while x < x1:
                if inside.contains(Point(x, y)):
                    points.append((round(x, 6), round(y, 6)))
                x += spacing
            y += spacing
        if len(points) >= count or spacing < 0.0002:
            break
        spacing /= 1.5
    if len(points) < count:
        raise SystemExit(f"only {len(points)} grid points in the province; ask for fewer rows")
    step = len(points) / count
    return [points[int(i * step)] for i in range(count)]


def file_rows(
    points: list[tuple[float, float]], prefix: str, operators: tuple[str, ...] = OPERATORS
) -> list[list[Any]]:
    """One row per station: every point a new site shared by the operators, 3 sectors each."""
    rows = []
    start = date(2015, 1, 1)
    for i, (lon, lat) in enumerate(points):
        for k, operator in enumerate(operators):
            a = (i * 37 + k * 60) % 120
            cells = {
                "station_code": f"{prefix}{operator[:3].upper()}{i:06d}",  # the site code stays the file's
                "operator": operator,
                "site_code": f"{prefix}-{i:06d}",
                "address": f"Số {1 + i % 300} đường thử {i // 300}, Hải Phòng",
                "lon": lon,
                "lat": lat,
                "crs": "4326",
                "provenance": "gps",
                "pole_class": ("A1a", "A1b", "A2a", "A2b")[i % 4],
                "pole_height_m": 6 + i % 40,
                "technologies": ("2G,4G", "4G", "4G,5G", "2G,3G,4G")[(i + k) % 4],
                "bands": "900,1800",
                "status": "đang hoạt động",
                "commissioning_date": (start + timedelta(days=i % 3000)).strftime("%d/%m/%Y"),
                "owner": OPERATORS[i % 2],  # the site's owner: the same on both rows
                "azimuths": f"{a};{a + 120};{a + 240}",
                "tilts": "4;4;6",
                "eirps": "1000;1000;800",
            }
            rows.append([cells[key] for key in KEYS])
    return rows


def xlsx(rows: list[list[Any]]) -> bytes:
    return write_xlsx([BY_KEY[key].header for key in KEYS], rows)


def run_import(engine: Any, data: bytes, *, dry_run: bool = False, commit: bool = True) -> tuple[float, ImportReport]:
    with acting_as("bench:imports"), Session(engine) as session:
        t = time.perf_counter()
        report = import_file(session, data=data, filename="tram.xlsx", dry_run=dry_run)
        if commit and not dry_run:
            session.commit()
        elapsed = time.perf_counter() - t
        session.rollback()
    return elapsed, report


def counts(report: ImportReport) -> str:
    return (
        f"sites +{report.sites_created} reused {report.sites_reused}, stations +{report.stations_created} "
        f"updated {report.stations_updated} unchanged {report.stations_unchanged}, warnings {len(report.warnings)}"
    )


def peak_memory(engine: Any, data: bytes) -> tuple[float, float]:
    """(peak MB, s) importing ``data`` under tracemalloc, rolled back after."""
    tracemalloc.start()
    try:
        elapsed, _ = run_import(engine, data, commit=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20, elapsed


def copy_reference(url: str, rows: list[list[Any]]) -> float:
    """Seconds to COPY ``rows`` into a scratch table and type them (points by ST_MakePoint)."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        t = time.perf_counter()
        columns = ", ".join(f"{key} text" for key in KEYS)
        conn.execute(f"CREATE TEMP TABLE raw_rows ({columns})")
        with conn.cursor().copy(f"COPY raw_rows ({', '.join(KEYS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([str(cell) for cell in row])
        conn.execute("""
            CREATE TEMP TABLE typed_rows AS
            SELECT station_code, operator, site_code, address,
                   ST_SetSRID(ST_MakePoint(lon::float8, lat::float8), 4326) AS geom, crs::int AS crs,
                   provenance, pole_class, pole_height_m::real AS pole_height_m,
                   string_to_array(technologies, ',') AS technologies, string_to_array(bands, ',') AS bands,
                   status, to_date(commissioning_date, 'DD/MM/YYYY') AS commissioning_date, owner,
                   string_to_array(azimuths, ';')::real[] AS azimuths, string_to_array(tilts, ';')::real[] AS tilts,
                   string_to_array(eirps, ';')::real[] AS eirps
            FROM raw_rows
        """)
        conn.commit()
        elapsed = time.perf_counter() - t
    return elapsed


def imports(rows: int, rows_big: int, runs: int, background: int = 0) -> dict[str, float]:
    url = bench_database("imports")
    upgrade(url)
    engine = make_engine(url)
    with acting_as("bench:imports"), Session(engine) as session, session.begin():
        load_admin_units(session)
        if background:  # a registry of the size (103,200 sites) behind the file
            t = time.perf_counter()
            stations = add_synthetic_sites(session, sites=background)
            print(f"  {background:,} synthetic sites, {stations:,} stations added in {time.perf_counter() - t:.1f} s")
    sites, sites_big = rows // 2, rows_big // 2
    t = time.perf_counter()
    points = province_points(sites * runs + sites + sites_big)
    main_rows = file_rows(points[:sites], "BI")
    data = xlsx(main_rows)
    print(f"\n[station import: {len(main_rows):,} rows = {sites:,} new sites × {len(OPERATORS)} operators, 3 sectors]")
    print(f"  file built ({len(data) / 2**20:.1f} MB .xlsx) in {time.perf_counter() - t:.1f} s")

    figures: dict[str, float] = {}
    dry, full, again, colocated = [], [], [], []
    for run in range(runs):
        if run:  # every run on sites of its own, so each import creates them anew
            run_rows = file_rows(points[sites * run : sites * (run + 1)], f"B{run}")
            data = xlsx(run_rows)
        elapsed, report = run_import(engine, data, dry_run=True)
        dry.append(elapsed)
        print(f"  dry run       {elapsed:7.2f} s  {counts(report)}")
        elapsed, report = run_import(engine, data)
        full.append(elapsed)
        print(f"  import        {elapsed:7.2f} s  {len(main_rows) / elapsed:7.0f} rows/s  {counts(report)}")
        elapsed, report = run_import(engine, data)
        again.append(elapsed)
        print(f"  re-import     {elapsed:7.2f} s  {len(main_rows) / elapsed:7.0f} rows/s  {counts(report)}")
        if run == 0:  # a third operator's file on the same sites: stations added to sites in the registry
            third = file_rows(points[:sites], "BI", ("VinaPhone", "Gmobile"))
            elapsed, report = run_import(engine, xlsx(third))
            colocated.append(elapsed)
            print(f"  co-located    {elapsed:7.2f} s  {len(third) / elapsed:7.0f} rows/s  {counts(report)}")
    dry_s, import_s, again_s = (statistics.median(x) for x in (dry, full, again))
    rate = len(main_rows) / import_s
    figures.update(dry_run_s=dry_s, import_s=import_s, reimport_s=again_s, rows_per_s=rate, colocated_s=colocated[0])
    print(f"  import   {rate:7.0f} rows/s  target {RATE_TARGET:,.0f}  ratio {rate / RATE_TARGET:.3f} (≥ 1 meets it)")
    share = dry_s / import_s
    print(f"  dry run / import  {share:.2f}  target ≤ {DRY_RUN_TARGET}  ratio {share / DRY_RUN_TARGET:.2f}")

    if rows_big <= 0:
        sites_big = 0
    print("\n[peak Python memory importing (tracemalloc; rolled back)]" if sites_big else "")
    peaks = []
    offset = sites * runs
    for n, prefix in ((sites, "MS"), (sites_big, "MB")) if sites_big else ():
        mem_rows = file_rows(points[offset : offset + n], prefix)
        offset += n
        peak, elapsed = peak_memory(engine, xlsx(mem_rows))
        peaks.append(peak)
        print(f"  {len(mem_rows):>7,} rows  peak {peak:8.1f} MB  ({elapsed:.1f} s under tracemalloc)")
    if peaks:
        growth = peaks[1] / peaks[0]
        figures.update(peak_mb=peaks[0], peak_big_mb=peaks[1], memory_growth=growth)
        print(f"  growth {growth:.2f} for a file {rows_big / rows:.1f}× longer  target ≈ 1 (flat)")

    print("\n[reference: the same rows COPY'd into a scratch table, typed with ST_MakePoint]")
    copy_s = statistics.median(copy_reference(url, main_rows) for _ in range(max(runs, 3)))
    figures["copy_s"] = copy_s
    copy_rate = len(main_rows) / copy_s
    print(f"  COPY + typing {copy_s:7.3f} s  {copy_rate:9.0f} rows/s  import / COPY ×{import_s / copy_s:.0f}")

    engine.dispose()
    admin = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports")
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the file (half as many new sites)")
    parser.add_argument("--rows-big", type=int, default=20_000, help="second file size for the memory figure (0: none)")
    parser.add_argument("--runs", type=int, default=1, help="dry run, import and re-import this many times")
    parser.add_argument("--sites", type=int, default=0, help="synthetic sites across Vietnam already in the registry")
    args = parser.parse_args()
    imports(args.rows, args.rows_big, args.runs, args.sites)


if __name__ == "__main__":
    main()
