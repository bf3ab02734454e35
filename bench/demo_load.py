"""Load time of each part of the Hải Phòng demo: ``python -m bench.demo_load`` (also run by ``python -m bench``).

On a database of its own (``<db>_bench_demo``, rebuilt, dropped after), the parts in the order ``tttt demo load`` runs
them, each in its own transaction and committed: administrative units, the stations through the importer,
planning zones, permits, the press registry, the cases, the procedures and one-stop dossiers. Each part's
seconds are printed beside a target; the figures used to be assertions in the fixture tests (press and
cases under 5 s, the station rows generated under 15 s), which failed on a loaded machine and proved nothing.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.databases import bench_database
from registry.audit.context import acting_as
from registry.db import make_engine
from registry.migrations import upgrade

TARGETS_S = {
    "station rows generated": 15.0,
    "press registry": 5.0,
    "cases": 5.0,
}


def demo_parts(seed: int = 2026) -> list[tuple[str, float]]:
    """Load every demo part into a fresh database; print and return (part, seconds)."""
    from fixtures.cases_demo import cases_summary, load_cases
    from fixtures.demo import demo_rows, load_admin_units
    from fixtures.haiphong.generate import generate_station_rows
    from fixtures.permits_demo import load_permits_once, load_zones
    from fixtures.press_demo import load_press, press_summary
    from fixtures.procedures_demo import load_procedures
    from registry.stations.importer import import_rows

    url = bench_database("bench_demo")
    upgrade(url)
    engine = make_engine(url)
    figures: list[tuple[str, float]] = []

    def part(name: str, load: Callable[[Session], object]) -> None:
        with acting_as("bench:demo"), Session(engine) as session, session.begin():
            t = time.perf_counter()
            result = load(session)
            elapsed = time.perf_counter() - t
        figures.append((name, elapsed))
        target = f"  target {TARGETS_S[name]:.0f} s  ratio {elapsed / TARGETS_S[name]:.2f}" if name in TARGETS_S else ""
        what = result if isinstance(result, str) else (f"{result:,}" if isinstance(result, int) else "")
        print(f"  {name:<26} {elapsed:7.2f} s{target}  {str(what)[:110]}")

    print("\n[demo load, part by part]")
    t = time.perf_counter()
    generate_station_rows(seed=seed)
    figures.append(("station rows generated", time.perf_counter() - t))
    elapsed = figures[-1][1]
    print(f"  {'station rows generated':<26} {elapsed:7.2f} s  target 15 s  ratio {elapsed / 15:.2f}")
    part("administrative units", load_admin_units)
    rows = demo_rows(seed)
    part("stations (importer)", lambda s: f"{import_rows(s, rows=rows).stations_created} stations")
    part("planning zones", load_zones)
    part("permits", lambda s: load_permits_once(s, seed=seed))
    part("press registry", lambda s: press_summary(load_press(s, seed=seed)))
    part("cases", lambda s: cases_summary(load_cases(s, seed=seed)))
    part("procedures and dossiers", load_procedures)
    print(f"  {'whole demo':<26} {sum(s for n, s in figures if n != 'station rows generated'):7.2f} s")
    engine.dispose()
    admin = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.demo_load")
    parser.add_argument("--seed", type=int, default=2026)
    demo_parts(parser.parse_args().seed)


if __name__ == "__main__":
    main()
