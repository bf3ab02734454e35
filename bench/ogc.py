"""The OGC API at national scale: ``python -m bench.ogc [--sites 100000]``.

On a database of its own (``<db>_ogc``, rebuilt), the province's units plus ``--sites`` synthetic sites
(1–3 stations each) spread over Vietnam; each request below is made through the app (in process, as
the public) seven times after a first one, and its median and answer size are printed: the
collections with their extents, pages of 1,000 at the start and deep in the list, in CRS84 and in
VN-2000 (EPSG:9210, transformed by PostGIS with the project's PROJ string), CQL2 filters, a bbox and a
tile. Figures of one run on the 2-core machine (100,000 sites, 200,000 stations): README, *Benchmarks*.
"""

from __future__ import annotations

import argparse
import statistics
import time
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bench.databases import bench_database
from fixtures.demo import load_admin_units
from fixtures.synthetic import add_synthetic_sites
from registry.db import make_engine
from registry.migrations import upgrade
from registry.settings import Settings

REQUESTS = {
    "collections (every extent)": "/ogc/collections",
    "items, 1,000": "/ogc/collections/sites/items?limit=1000",
    "items, 1,000 at offset 50,000": "/ogc/collections/sites/items?limit=1000&offset=50000",
    "items, 1,000 in EPSG:9210": "/ogc/collections/sites/items?limit=1000&crs=EPSG:9210",
    "items, CQL2 comparison": "/ogc/collections/sites/items?limit=1000&filter="
    + quote("pole_class = 'A2b' AND pole_height_m > 10"),
    "items, CQL2 S_DWITHIN 2 km": "/ogc/collections/sites/items?limit=1000&filter="
    + quote("S_DWITHIN(geometry, POINT(105.85 21.03), 2, km)"),
    "items, bbox": "/ogc/collections/sites/items?limit=1000&bbox=105.7,20.9,106.0,21.1",
    "stations, 1,000": "/ogc/collections/stations/items?limit=1000",
    "tile 12/1780/3252": "/ogc/collections/sites/tiles/WebMercatorQuad/12/1780/3252",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=100_000)
    args = parser.parse_args()
    from api.app import create_app

    url = bench_database("ogc")
    upgrade(url)
    settings = Settings(environment="production", secret_key="bench-" + "x" * 40, map_tiles_url=None)
    engine = make_engine(url, settings)
    with Session(engine) as session, session.begin():
        load_admin_units(session)
        stations = add_synthetic_sites(session, sites=args.sites)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    print(f"{args.sites:,} sites, {stations:,} stations")
    client = TestClient(create_app(settings, sessionmaker(bind=engine)))
    for name, path in REQUESTS.items():
        first = client.get(path)
        assert first.status_code == 200, (path, first.text[:300])
        times = []
        for _ in range(7):
            start = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{name:32s} p50 {statistics.median(times):7.1f} ms   {len(answer.content) / 1024:7.1f} KiB")
    engine.dispose()


if __name__ == "__main__":
    main()
