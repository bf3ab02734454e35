"""The site lists through HTTP against the database and TiPG: ``python -m bench.tipg [--sites 100000] [--runs 200]``.

On a database of its own (``<db>_tipg``, rebuilt, dropped after): the Hải Phòng demo plus ``--sites``
synthetic sites across Vietnam (the issue measured with 103,200 sites in all). The app is served on
127.0.0.1 by uvicorn as ``make run`` does, and asked, in turns, around random demo sites:

- ``/api/sites?bbox=…&limit=100`` and ``limit=1000`` against the flat SQL FeatureCollection of the same
  bbox and limit (``json_agg`` of ``ST_AsGeoJSON`` over ``geom && envelope``, by psycopg);
- ``/api/sites/nearest?lon&lat&n=10`` against the raw KNN with geodesic distances (``<->`` on the index,
  the 30 planar nearest re-ordered by ``ST_Distance(geography)``);
- and TiPG 1.6 (``/collections/public.site/items?bbox=…&limit=…``) on the same database when a Python
  with ``tipg`` is given by ``--tipg-python`` (default ``/tmp/tipg-venv/bin/python``, a scratch virtual
  environment: ``python -m venv /tmp/tipg-venv && /tmp/tipg-venv/bin/pip install 'tipg==1.6.*' uvicorn``);
  otherwise it is skipped with a message;
- vector tiles of the sites around the same points at zooms 8, 11 and 14: ``/tiles/sites/{z}/{x}/{y}.pbf``
  against TiPG's ``/collections/public.site/tiles/WebMercatorQuad/{z}/{x}/{y}`` (no flat SQL for these).

Printed: p50 and p95 in ms and the ratios to the flat SQL (issue #19's targets: lists ≤ 3×, nearest-10 ≤ 4×)
and to TiPG (below 1 = the project is faster). The project is asked twice, in turns: through httpx (as
TiPG is) and through the standard library's ``http.client`` on one kept-alive connection, whose own cost
per request is closer to psycopg's on the flat SQL side (httpx spends 0.3–0.7 ms of its own).
``python -m bench`` runs it with a smaller registry (``--lists-sites``).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from http.client import HTTPConnection

import httpx
import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.databases import bench_database
from bench.load import _stop
from bench.tiles import _free_port, _percentiles
from fixtures.demo import demo_rows, load_admin_units
from fixtures.synthetic import add_synthetic_sites
from registry.db import make_engine
from registry.migrations import upgrade
from registry.stations.importer import import_rows

LIST_TARGET = 3.0
NEAREST_TARGET = 4.0
# Half the bbox's side around a Hải Phòng site, by page size: about 9 × 9 km for 100, 44 × 44 km for 1,000.
HALF_BOX_DEG = {100: 0.04, 1000: 0.2}

FLAT_BBOX = """
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(ST_AsGeoJSON(t.*)::json), '[]'))
FROM (SELECT id, code, status, pole_class, pole_height_m, geom FROM site
      WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) ORDER BY id LIMIT %s) t
"""
COUNT_BBOX = "SELECT count(*) FROM (SELECT 1 FROM site WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) LIMIT %s) t"
LEAN = "project, http.client"  # the project through the standard library's client
FLAT_NEAREST = """
SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(ST_AsGeoJSON(t.*)::json ORDER BY distance_m))
FROM (SELECT id, code, status, geom, ST_Distance(geom::geography, p::geography) AS distance_m
      FROM (SELECT id, code, status, geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326) AS p FROM site
            ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326) LIMIT 30) k
      ORDER BY distance_m LIMIT 10) t
"""


def _serve(argv: list[str], env: dict[str, str], health: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen(
        [*argv, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, as bench.load's _stop expects
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(base + health, timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.3)
    _stop(server)
    raise SystemExit(f"{argv[0]} did not answer {health} within 60 s")


def prepare(sites: int) -> str:
    url = bench_database("tipg")
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        load_admin_units(session)
        import_rows(session, rows=demo_rows())
    t = time.perf_counter()
    with Session(engine) as session, session.begin():
        added = add_synthetic_sites(session, sites=sites)
    print(f"demo + {sites:,} synthetic sites ({added:,} stations) in {time.perf_counter() - t:.0f} s")
    engine.dispose()
    return url


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def measure(url: str, runs: int, tipg_python: str) -> None:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ANALYZE")
        centres = conn.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM site WHERE code LIKE 'HP-%%' ORDER BY random() LIMIT %s", (runs,)
        ).fetchall()
    rng = random.Random(19)
    while len(centres) < runs:
        centres.append(rng.choice(centres))

    env = dict(os.environ, DATABASE_URL=url, TTTT_ENV="development")
    tipg = None
    if os.path.exists(tipg_python) and subprocess.run([tipg_python, "-c", "import tipg"], check=False).returncode == 0:
        tipg_env = dict(os.environ, DATABASE_URL=dsn, TIPG_DB_SCHEMAS='["public"]')
        tipg = _serve([tipg_python, "-m", "uvicorn", "tipg.main:app"], tipg_env, "/healthz")
    else:
        print(f"\n(TiPG skipped: no Python with `tipg` importable at {tipg_python}; see this module's docstring)")
    try:
        app, base = _serve([sys.executable, "-m", "uvicorn", "api.main:app"], env, "/health")
    except SystemExit:
        if tipg:
            _stop(tipg[0])
        raise

    def box(lon: float, lat: float, limit: int) -> tuple[float, float, float, float]:
        half = HALF_BOX_DEG[limit]
        return lon - half, lat - half, lon + half, lat + half

    try:
        with psycopg.connect(dsn, autocommit=True) as conn, httpx.Client(timeout=30) as http:

            def timed(calls: dict[str, Callable[[float, float], object]]) -> dict[str, list[float]]:
                """Each contender in turn at each point, so that a machine busy for a while slows all
                of them alike (the ratios are what is compared)."""
                samples: dict[str, list[float]] = {who: [] for who in calls}
                for call in calls.values():
                    for lon, lat in centres[:10]:  # warm: connections, plans, caches
                        call(lon, lat)
                for lon, lat in centres:
                    for who, call in calls.items():
                        t = time.perf_counter()
                        call(lon, lat)
                        samples[who].append(time.perf_counter() - t)
                return samples

            def get(address: str) -> int:
                response = http.get(address)
                response.raise_for_status()
                return len(response.content)

            # The same requests through the standard library's client on one kept-alive connection: httpx
            # spends a few tenths of a millisecond of its own on each (its figure minus this one), which
            # the flat SQL's client (psycopg) does not; both are printed.
            lean = HTTPConnection(base.removeprefix("http://"), timeout=30)

            def lean_get(address: str) -> int:
                lean.request("GET", address.removeprefix(base))
                response = lean.getresponse()
                body = response.read()
                if response.status != 200:
                    raise SystemExit(f"{address}: HTTP {response.status}")
                return len(body)

            def page(x: float, y: float, n: int) -> str:
                return f"{base}/api/sites?bbox={','.join(f'{v:.6f}' for v in box(x, y, n))}&limit={n}"

            def nearest(x: float, y: float) -> str:
                return f"{base}/api/sites/nearest?lon={x:.6f}&lat={y:.6f}&n=10"

            cases: list[tuple[str, float, dict[str, Callable[[float, float], object]]]] = []
            for limit in (100, 1000):
                calls: dict[str, Callable[[float, float], object]] = {
                    "project": lambda x, y, n=limit: get(page(x, y, n)),
                    "flat SQL": lambda x, y, n=limit: conn.execute(FLAT_BBOX, (*box(x, y, n), n)).fetchone(),
                    LEAN: lambda x, y, n=limit: lean_get(page(x, y, n)),
                }
                if tipg:
                    calls["TiPG"] = lambda x, y, n=limit: get(
                        f"{tipg[1]}/collections/public.site/items?bbox={','.join(f'{v:.6f}' for v in box(x, y, n))}"
                        f"&limit={n}"
                    )
                sizes = [conn.execute(COUNT_BBOX, (*box(lon, lat, limit), limit)).fetchone()[0] for lon, lat in centres]
                cases.append(
                    (f"bbox list, limit {limit} ({statistics.mean(sizes):.0f} sites a page)", LIST_TARGET, calls)
                )
            cases.append(
                (
                    "nearest 10",
                    NEAREST_TARGET,
                    {
                        "project": lambda x, y: get(nearest(x, y)),
                        "flat SQL": lambda x, y: conn.execute(FLAT_NEAREST, (x, y, x, y)).fetchone(),
                        LEAN: lambda x, y: lean_get(nearest(x, y)),
                    },
                )
            )
            for z in (8, 11, 14):
                tiles: dict[str, Callable[[float, float], object]] = {
                    "project": lambda x, y, z=z: get(
                        f"{base}/tiles/sites/{z}/{'/'.join(map(str, tile_xy(x, y, z)))}.pbf"
                    )
                }
                if tipg:
                    tiles["TiPG"] = lambda x, y, z=z: get(
                        f"{tipg[1]}/collections/public.site/tiles/WebMercatorQuad/{z}/"
                        + "/".join(map(str, tile_xy(x, y, z)))
                    )
                cases.append((f"vector tile, zoom {z}", 0.0, tiles))
            print(f"\n[site lists and tiles through HTTP, {runs} requests each around random Hải Phòng sites]")
            print(f"  (served by uvicorn, as make run: {_served_with()})")
            for name, target, calls in cases:
                figures = {who: tuple(v * 1000 for v in _percentiles(xs)) for who, xs in timed(calls).items()}
                line = "  ".join(f"{who} p50 {p50:6.1f} / p95 {p95:6.1f} ms" for who, (p50, p95) in figures.items())
                tail = ""
                if "flat SQL" in figures:
                    for who in ("project", LEAN):
                        ratio = figures[who][0] / figures["flat SQL"][0]
                        tail += f"  {who}: ×{ratio:.1f} the flat SQL (target ≤ {target:g}, ratio {ratio / target:.2f})"
                if "TiPG" in figures:
                    tail += f"  ×{figures['project'][0] / figures['TiPG'][0]:.2f} TiPG"
                print(f"  {name:<38} {line}\n  {'':<38}{tail}")
    finally:
        _stop(app)
        if tipg:
            _stop(tipg[0])


def _served_with() -> str:
    """What uvicorn's "auto" picks in this environment (the figures depend on it): httptools and uvloop
    when they are installed (pyproject.toml pins them), else its pure-Python h11 and asyncio's loop."""
    from importlib.util import find_spec

    http = "httptools" if find_spec("httptools") else "h11"
    loop = "uvloop" if find_spec("uvloop") else "asyncio"
    return f"HTTP parser {http}, event loop {loop}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tipg")
    parser.add_argument("--sites", type=int, default=100_000, help="synthetic sites to add to the demo")
    parser.add_argument("--runs", type=int, default=200, help="requests per case and contender")
    parser.add_argument("--tipg-python", default="/tmp/tipg-venv/bin/python", help="a Python with tipg installed")
    args = parser.parse_args(argv)
    url = prepare(args.sites)
    try:
        measure(url, args.runs, args.tipg_python)
    finally:
        admin = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
