"""Sizes and times of the station and site exports in every format (issue #20: the KML was 42.6 MB for
20,659 placemarks, with everything but four fields inside an HTML description).

On a database of its own (``<db>_exports``): the Hải Phòng demo, then ``--sites`` synthetic sites added
(1–3 stations each; the default brings the registry past the issue's 20,659 stations). Each export is
written as the API streams it; printed: bytes, bytes per row, seconds and the Python heap's peak.

    .venv/bin/python -m bench.exports [--sites 8500]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable, Iterator
from functools import partial

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bench.databases import bench_database
from fixtures.demo import demo_rows, load_admin_units
from fixtures.synthetic import add_synthetic_sites
from registry.db import make_engine
from registry.migrations import upgrade
from registry.settings import get_settings
from registry.stations.exporter import stream_sites, stream_stations
from registry.stations.importer import import_rows
from registry.stations.models import Site, Station
from registry.stations.queries import StationFilter

FORMATS = ("csv", "xlsx", "geojson", "kml", "gpkg")


def _measure(chunks: Callable[[], Iterator[bytes]]) -> tuple[int, float, float]:
    """(bytes, seconds, Python heap peak): timed on a first run, the peak traced on a second (tracing
    slows Python down two to four times)."""
    t = time.perf_counter()
    size = sum(len(c) for c in chunks())
    elapsed = time.perf_counter() - t
    tracemalloc.start()
    for _ in chunks():
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return size, elapsed, peak


def report(session: Session, label: str, *, gpkg_crs: tuple[str, ...] = ("EPSG:9210",)) -> None:
    everything = get_settings().model_copy(update={"max_export_rows": 10_000_000})
    stations = session.scalar(select(func.count()).select_from(Station)) or 0
    sites = session.scalar(select(func.count()).select_from(Site)) or 0
    print(f"\n[{label}: {stations:,} stations on {sites:,} sites]")
    for noun, stream, rows in (("stations", stream_stations, stations), ("sites", stream_sites, sites)):
        for fmt in FORMATS:
            for crs in (None, *(gpkg_crs if fmt == "gpkg" else ())):
                size, elapsed, peak = _measure(
                    partial(stream, session, filters=StationFilter(), fmt=fmt, settings=everything, crs=crs)
                )
                name = f"{noun}.{fmt}" + (f" crs={crs}" if crs else "")
                print(
                    f"  {name:<28} {size / 1e6:8.2f} MB  {size / max(rows, 1):7.0f} B/row  {elapsed:6.2f} s  "
                    f"Python peak {peak / 2**20:6.1f} MiB"
                )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.exports")
    parser.add_argument("--sites", type=int, default=8_500, help="synthetic sites added after the demo (0 = none)")
    args = parser.parse_args()
    url = bench_database("exports")
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        load_admin_units(session)
        import_rows(session, rows=demo_rows())
    with Session(engine) as session:
        session.execute(text("ANALYZE"))
        report(session, "Hải Phòng demo")
    if args.sites:
        with Session(engine) as session, session.begin():
            add_synthetic_sites(session, sites=args.sites)
        with Session(engine) as session:
            session.execute(text("ANALYZE"))
            report(session, f"demo + {args.sites:,} synthetic sites")
    engine.dispose()


if __name__ == "__main__":
    main()
