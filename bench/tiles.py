"""Vector tiles and the stations page at national scale: ``python -m bench.tiles [--sites 1000000]``.

On a database of its own (``<db>_bench``, rebuilt), the Hải Phòng demo plus ``--sites`` synthetic
sites spread over Vietnam: for every zoom 0–16, tiles around randomly chosen sites (so over
populated areas) are built as the public gets them and, from zoom 13, as staff get them (with each
site's permit standing); p50, p95, the largest tile and the ratio to the targets (p95 under 50 ms,
no tile over 500 KB) are printed. Then the app is served on 127.0.0.1 and the stations page is
opened in headless Chromium on a phone (390×844) and a desktop: the time from navigation to the
first drawn tile (target 2 s).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import date

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench.databases import bench_database
from fixtures.demo import demo_rows, load_admin_units
from fixtures.synthetic import add_synthetic_sites
from registry.db import make_engine
from registry.migrations import upgrade
from registry.permits.standing import standing_columns
from registry.stations.importer import import_rows
from registry.stations.queries import StationFilter
from registry.stations.tiles import site_tile

TILE_TARGET_MS = 50.0
TILE_MAX_BYTES = 500 * 1024
PAGE_TARGET_S = 2.0
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}


def xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(x, n - 1), min(y, n - 1)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def tiles(url: str, runs: int, on: date) -> None:
    engine = make_engine(url)  # as the app connects (no JIT)
    with Session(engine) as session:
        points = [
            (float(x), float(y))
            for x, y in session.execute(
                text("SELECT ST_X(geom), ST_Y(geom) FROM site TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT :n"),
                {"n": runs},
            )
        ]
        rng = random.Random(3)
        while len(points) < runs:
            points.append(rng.choice(points))
        print(f"\n[tiles around {len(points)} random sites; target p95 {TILE_TARGET_MS:.0f} ms, max 500 KB]")
        worst = 0.0
        layers = {"all": StationFilter(), "viettel": StationFilter(operators=["viettel"]),
                  "5G": StationFilter(technologies=["5G"])}  # fmt: skip
        for z in range(0, 17):
            cases = [("public", "all"), ("public", "viettel"), ("public", "5G")]
            cases += [("staff", "all")] if z >= 13 else []
            for who, layer in cases:
                samples, sizes, kinds = [], [], set()
                for lon, lat in points:
                    x, y = xy(lon, lat, z)
                    t = time.perf_counter()
                    body, kind, _ = site_tile(
                        session,
                        layers[layer],
                        z=z,
                        x=x,
                        y=y,
                        max_features=2000,
                        cluster_below_zoom=13,
                        columns=standing_columns(on=on, expiring_days=60) if who == "staff" else None,
                    )
                    samples.append((time.perf_counter() - t) * 1000)
                    sizes.append(len(body))
                    kinds.add(kind)
                p50, p95 = _percentiles(samples)
                worst = max(worst, p95 / TILE_TARGET_MS)
                print(
                    f"  z={z:<2} {who:<6} {layer:<7} {'/'.join(sorted(kinds)):<15} "
                    f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                    f"ratio {p95 / TILE_TARGET_MS:5.2f}  largest {max(sizes) / 1024:6.1f} KiB "
                    f"(ratio {max(sizes) / TILE_MAX_BYTES:.2f})"
                )
        print(f"  worst p95 ratio over all zooms: {worst:.2f}")
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def page(url: str, loads: int) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url, TTTT_ENV="development", TTTT_MAP_TILES_URL="")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as pw:
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=args)
            print(f"\n[stations page in headless Chromium, {loads} cold loads per viewport]")
            for name, (width, height) in VIEWPORTS.items():
                samples = []
                for _ in range(loads):
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    t = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{port}/maps/stations")
                    page.wait_for_function(  # a function, not an expression: the page's CSP forbids eval
                        "() => window.siteLayer && Object.values(window.siteLayer._vectorTiles).some("
                        "function (t) { return Object.keys(t._features || {}).length > 0; })",
                        timeout=30_000,
                    )
                    samples.append(time.perf_counter() - t)
                    context.close()
                p50, p95 = _percentiles(samples)
                print(
                    f"  {name} {width}×{height}: navigation to first drawn tile p50 {p50:.2f} s  "
                    f"max {max(samples):.2f} s  target {PAGE_TARGET_S:.0f} s  ratio {max(samples) / PAGE_TARGET_S:.2f}"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tiles")
    parser.add_argument("--sites", type=int, default=1_000_000, help="synthetic sites to add to the demo")
    parser.add_argument("--runs", type=int, default=100, help="tiles per zoom")
    parser.add_argument("--loads", type=int, default=5, help="page loads")
    parser.add_argument("--page-only", action="store_true", help="only the page loads, on the database a run kept")
    args = parser.parse_args()
    if args.page_only:
        page(bench_database("bench", keep=True), args.loads)
        return
    url = bench_database("bench")
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        load_admin_units(session)
        import_rows(session, rows=demo_rows())
    with Session(engine) as session, session.begin():
        from fixtures.permits_demo import load_permits, load_zones

        load_zones(session)
        load_permits(session)
    t = time.perf_counter()
    with Session(engine) as session, session.begin():
        added = add_synthetic_sites(session, sites=args.sites)
    with Session(engine) as session, session.begin():
        session.execute(text("ANALYZE"))
    print(f"added {args.sites:,} synthetic sites ({added:,} stations) in {time.perf_counter() - t:.0f} s")
    engine.dispose()
    tiles(url, args.runs, date(2026, 11, 28))
    page(url, args.loads)


if __name__ == "__main__":
    main()
