"""Station-registry benchmarks on a database of their own (`<db>_bench`), rebuilt each run.

1. the Hải Phòng demo through the importer (rows per second), and the idempotent re-import;
2. queries at provincial scale, then again after adding synthetic sites across Vietnam
   (``--national N``, default 100 000): nearest 10, stations within 500 m, a filtered page of 100
   sites, a full CSV export. Each query runs over fixed random points; p50 and p95 are printed with
   the ratio to the target (ratio < 1 means within target);
3. the load time of each part of the demo (``bench/demo_load.py``, on a database of its own);
4. the site lists, nearest and tiles through HTTP against the flat SQL and TiPG (``bench/tipg.py``, on a
   database of its own, with ``--lists-sites`` synthetic sites: 20 000 by default; the issue's
   figures are of ``python -m bench.tipg --sites 100000``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.databases import bench_database
from fixtures.demo import demo_rows, load_admin_units
from fixtures.synthetic import add_synthetic_sites
from registry.db import make_engine
from registry.migrations import upgrade
from registry.settings import get_settings
from registry.stations.exporter import stream_stations
from registry.stations.importer import import_rows
from registry.stations.queries import (
    StationFilter,
    nearest_sites,
    site_feature_collection,
    station_feature_collection,
)

TARGETS_MS = {"nearest 10": 50.0, "stations within 500 m": 50.0, "filtered page of 100 sites": 150.0}
IMPORT_TARGET_ROWS_PER_S = 500.0


def _timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def _queries(session: Session, label: str, runs: int) -> None:
    rnd = random.Random(7)
    points = [(rnd.uniform(106.55, 106.80), rnd.uniform(20.78, 20.92)) for _ in range(runs)]
    it = iter(points * 4)

    def nearest() -> object:
        lon, lat = next(it)
        return nearest_sites(session, StationFilter(), lon=lon, lat=lat, n=10)

    def within_500() -> object:
        return station_feature_collection(session, StationFilter(near=next(it), radius_m=500), limit=1000)

    def filtered_page() -> object:
        return site_feature_collection(
            session, StationFilter(operators=["MobiFone"], technologies=["4G"]), limit=100, offset=rnd.randrange(0, 400)
        )

    cases: dict[str, Callable[[], object]] = {
        "nearest 10": nearest,
        "stations within 500 m": within_500,
        "filtered page of 100 sites": filtered_page,
    }
    print(f"\n[{label}]")
    for name, fn in cases.items():
        p50, p95 = _timed(fn, runs)
        print(
            f"  {name:<28} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  target {TARGETS_MS[name]:.0f} ms  "
            f"ratio {p95 / TARGETS_MS[name]:.2f}"
        )
    tracemalloc.start()
    t = time.perf_counter()
    size = rows = 0
    everything = get_settings().model_copy(update={"max_export_rows": 10_000_000})
    for chunk in stream_stations(session, filters=StationFilter(), fmt="csv", settings=everything):
        size += len(chunk)
        rows += chunk.count(b"\n")
    rows -= 1
    elapsed = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"  export csv of all stations   {rows} rows in {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s), "
        f"{size / 2**20:.1f} MiB, Python peak {peak / 2**20:.1f} MiB"
    )


def _api(engine: object, runs: int) -> None:
    """Through the HTTP stack in-process: a site read by the public and by a signed-in officer (the
    token costs one indexed lookup), a page of the history, and one sign-in (argon2 by design)."""
    from datetime import timedelta

    from fastapi.testclient import TestClient
    from sqlalchemy.orm import sessionmaker

    from api.app import create_app
    from registry.accounts import tokens
    from registry.accounts.schemas import UserCreate
    from registry.accounts.service import create_user
    from registry.settings import Settings

    settings = Settings(secret_key="bench-" + "k" * 40)
    factory = sessionmaker(bind=engine, expire_on_commit=False)  # type: ignore[call-overload]
    with factory() as session, session.begin():
        user, _ = create_user(
            session, UserCreate(username="bench.officer", roles=["licensing_officer"], password="bench-password-1")
        )
        token = tokens.issue(session, user, secret=settings.secret(), ttl=timedelta(hours=1)).token
        code = session.execute(text("SELECT code FROM site ORDER BY id LIMIT 1")).scalar_one()
    client = TestClient(create_app(settings, factory))
    signed = {"Authorization": f"Bearer {token}"}
    print("\n[API in-process, with accounts]")
    anon50, anon95 = _timed(lambda: client.get(f"/api/sites/{code}").raise_for_status(), runs)
    auth50, auth95 = _timed(lambda: client.get(f"/api/sites/{code}", headers=signed).raise_for_status(), runs)
    hist50, hist95 = _timed(lambda: client.get(f"/api/sites/{code}/history", headers=signed).raise_for_status(), runs)
    print(f"  one site, public             p50 {anon50:6.1f} ms  p95 {anon95:6.1f} ms")
    print(
        f"  one site, signed in          p50 {auth50:6.1f} ms  p95 {auth95:6.1f} ms  "
        f"(token overhead p50 {auth50 - anon50:+.1f} ms, ratio {auth50 / anon50:.2f})"
    )
    print(f"  site history                 p50 {hist50:6.1f} ms  p95 {hist95:6.1f} ms")
    login50, login95 = _timed(
        lambda: client.post(
            "/api/auth/token", data={"username": "bench.officer", "password": "bench-password-1"}
        ).raise_for_status(),
        10,
    )
    print(
        f"  sign-in (argon2id)           p50 {login50:6.1f} ms  p95 {login95:6.1f} ms  "
        f"(target ≤ 500 ms, ratio {login95 / 500:.2f})"
    )


def _permits(engine: object, runs: int, label: str) -> None:
    """The permit check for random sites, and the three officers' lists over the whole register."""
    from datetime import date

    from registry.permits.check import check_site
    from registry.permits.reports import expired_inspections, expiring_permits, missing_permits
    from registry.settings import Settings
    from registry.stations.models import Site

    settings = Settings(secret_key="bench-" + "k" * 40)
    on = date(2026, 11, 28)
    with Session(engine) as session:  # type: ignore[call-overload]
        ids = [r[0] for r in session.execute(text("SELECT id FROM site ORDER BY id"))]
        rng = random.Random(7)
        sample = [rng.choice(ids) for _ in range(runs)]
        it = iter(sample)

        def one_check() -> object:
            return check_site(session, session.get(Site, next(it)), on=on, settings=settings)

        p50, p95 = _timed(one_check, runs)
        print(f"\n[{label}: permits]")
        print(
            f"  permit check of one site     p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  target 300 ms  ratio {p95 / 300:.2f}"
        )
        for name, fn in (
            ("expiring in 60 days", lambda: expiring_permits(session, on=on, days=60, filters=StationFilter())),
            ("missing a permit", lambda: missing_permits(session, on=on, expiring_days=60, filters=StationFilter())),
            ("expired inspections", lambda: expired_inspections(session, on=on, filters=StationFilter())),
        ):
            t = time.perf_counter()
            rows = fn()
            elapsed = time.perf_counter() - t
            print(f"  list: {name:<22} {len(rows):>7,} rows in {elapsed:5.2f} s  target 10 s  ratio {elapsed / 10:.2f}")


def _press(engine: object, runs: int, outlets: int = 20_000) -> None:
    """Search among ``outlets`` synthetic outlets (a national-size press register): exact words
    without diacritics, a small typo, a domain fragment."""
    from datetime import date

    from sqlalchemy import insert

    from registry.press.models import PressOutlet
    from registry.press.queries import PressFilter, find_outlets
    from registry.press.search import search_text

    rng = random.Random(11)
    words = [
        "Báo",
        "Tạp chí",
        "Bản tin",
        "Tin tức",
        "Đời sống",
        "Pháp luật",
        "Kinh tế",
        "Văn hóa",
        "Thể thao",
        "Giáo dục",
        "Sức khỏe",
        "Nông nghiệp",
        "Công nghệ",
        "Du lịch",
        "Môi trường",
        "Hải Phòng",
        "Hà Nội",
        "Đà Nẵng",
        "Cần Thơ",
        "Nghệ An",
        "Quảng Ninh",
        "Thanh Hóa",
        "Sài Gòn",
        "Miền Tây",
        "Tây Nguyên",
    ]
    rows = []
    for i in range(outlets):
        name = " ".join(rng.sample(words, 3)) + f" {i}"
        domain = f"site{i}.{rng.choice(['vn', 'com.vn', 'gov.vn', 'haiphong.gov.vn'])}"
        rows.append(
            {
                "code": f"BX-{i:06d}",
                "kind": "general_website",
                "name": name,
                "status": "active",
                "domains": [domain],
                "languages": ["vi"],
                "search_text": search_text(name, None, None, [domain]),
            }
        )
    with Session(engine) as session, session.begin():  # type: ignore[call-overload]
        session.execute(insert(PressOutlet), rows)
    # Steady state: a bulk insert leaves GIN entries in the pending list until the table is vacuumed.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # type: ignore[attr-defined]
        conn.execute(text("VACUUM ANALYZE press_outlet"))
    with Session(engine) as session:  # type: ignore[call-overload]
        print(f"\n[press: {outlets:,} outlets]")
        for label, q in (
            ("words, no diacritics", "phap luat hai phong"),
            ("small typo", "phap luat hai phng"),
            ("domain fragment", "haiphong.gov"),
        ):
            p50, p95 = _timed(
                lambda q=q: find_outlets(session, PressFilter(q=q), on=date(2026, 11, 28), days=60, limit=20, offset=0),
                runs,
            )
            print(f"  search: {label:<22} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  target 200 ms  ratio {p95 / 200:.2f}")


def _tiles(engine: object, runs: int, label: str) -> None:
    """Vector tiles around random points of Hải Phòng's core at three zooms (clusters far out)."""
    import math

    from registry.stations.tiles import site_tile

    rng = random.Random(5)

    def xy(lon: float, lat: float, z: int) -> tuple[int, int]:
        n = 2**z
        return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)

    print(f"\n[{label}: vector tiles]")
    with Session(engine) as session:  # type: ignore[call-overload]
        for z in (5, 10, 15):
            points = [(rng.uniform(106.60, 106.75), rng.uniform(20.80, 20.90)) for _ in range(runs)]
            it = iter(points)
            sizes: list[int] = []

            def one(z: int = z, it: Any = it, sizes: list[int] = sizes) -> object:
                x, y = xy(*next(it), z)
                body, _, _ = site_tile(
                    session, StationFilter(), z=z, x=x, y=y, max_features=2000, cluster_below_zoom=13
                )
                sizes.append(len(body))
                return body

            p50, p95 = _timed(one, runs)
            print(
                f"  tile z={z:<2}                   p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  target 200 ms  "
                f"ratio {p95 / 200:.2f}  (max {max(sizes) / 1024:.0f} KiB)"
            )


def _dossiers(engine: object, runs: int, copies: int = 90) -> None:
    """The one-stop report over the demo's dossiers, then with ``copies`` copies of each (about 200,000
    dossiers, 130,000 of them in 2019: a ministry's volume): a year, a month, the monthly trend of a year."""
    from fixtures.procedures_demo import load_procedures
    from registry.procedures.reports import dossier_report, monthly

    with Session(engine) as session, session.begin():  # type: ignore[call-overload]
        load_procedures(session)
    columns = (
        "procedure_id, applicant_kind, applicant_name, channel, received_at, received_on, counted_from, "
        "first_due_date, due_date, pre_apology_due_date, apology_on, supplement_since, paused_working_days, status, "
        "step_no, result, resolved_on, returned_on, sent_back_on, withdrawn_on, source"
    )
    for label, extra in (("demo", 0), ("national", copies)):
        if extra:
            with Session(engine) as session, session.begin():  # type: ignore[call-overload]
                session.execute(
                    text(
                        f"INSERT INTO dossier (receipt_code, {columns}) SELECT receipt_code || '-' || k, {columns} "
                        "FROM dossier, generate_series(1, :k) k WHERE receipt_code NOT LIKE '%-%-%-%-%'"
                    ),
                    {"k": extra},
                )
                session.execute(text("ANALYZE dossier"))
        with Session(engine) as session:  # type: ignore[call-overload]
            n = session.execute(text("SELECT count(*) FROM dossier")).scalar_one()
            print(f"\n[one-stop report: {n:,} dossiers ({label})]")
            for name, since, until in (
                ("year 2019", date(2019, 1, 1), date(2019, 12, 31)),
                ("month 2020-03", date(2020, 3, 1), date(2020, 3, 31)),
            ):
                p50, p95 = _timed(lambda a=since, b=until: dossier_report(session, a, b), runs)
                print(
                    f"  report {name:<24} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  target 1000 ms  ratio {p95 / 1000:.2f}"
                )
            p50, p95 = _timed(lambda: monthly(session, date(2019, 1, 1), date(2019, 12, 31)), max(3, runs // 10))
            print(
                f"  monthly trend of 2019          p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  target 1000 ms  "
                f"ratio {p95 / 1000:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--national", type=int, default=100_000, help="synthetic sites to add (0 = none)")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--load", type=float, default=60.0, help="seconds of the load benchmark (bench.load, 50 clients); 0 = skip"
    )
    parser.add_argument(
        "--lists-sites", type=int, default=20_000, help="synthetic sites behind bench.tipg's lists (0 = skip)"
    )
    args = parser.parse_args()

    url = bench_database("bench")
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        load_admin_units(session)
    rows = demo_rows()
    with Session(engine) as session, session.begin():
        t = time.perf_counter()
        report = import_rows(session, rows=rows)
        elapsed = time.perf_counter() - t
    rate = len(rows) / elapsed
    print(
        f"import of the demo: {len(rows)} rows, {report.sites_created} sites, {report.stations_created} "
        f"stations in {elapsed:.2f} s = {rate:,.0f} rows/s (target {IMPORT_TARGET_ROWS_PER_S:.0f}, "
        f"ratio {IMPORT_TARGET_ROWS_PER_S / rate:.2f})"
    )
    with Session(engine) as session, session.begin():
        t = time.perf_counter()
        again = import_rows(session, rows=rows)
        print(f"re-import (idempotent): {again.stations_unchanged} unchanged in {time.perf_counter() - t:.2f} s")
    with Session(engine) as session:
        session.execute(text("ANALYZE"))
        _queries(session, f"Hải Phòng: {report.sites_created} sites", args.runs)
    with Session(engine) as session, session.begin():
        from fixtures.permits_demo import load_permits, load_zones

        t = time.perf_counter()
        zones = load_zones(session)
        permits = load_permits(session)
        print(f"demo zones and permits: {zones} zones, {permits} in {time.perf_counter() - t:.1f} s")
    with Session(engine) as session:
        session.execute(text("ANALYZE"))
    _permits(engine, args.runs, f"Hải Phòng: {report.sites_created} sites")
    _tiles(engine, args.runs, f"Hải Phòng: {report.sites_created} sites")
    _api(engine, args.runs)
    _press(engine, args.runs)
    _dossiers(engine, args.runs)
    if args.national:
        with Session(engine) as session, session.begin():
            t = time.perf_counter()
            added = add_synthetic_sites(session, sites=args.national)
            print(f"\nadded {args.national:,} synthetic sites, {added:,} stations in {time.perf_counter() - t:.1f} s")
        with Session(engine) as session:
            _queries(session, f"national: +{args.national:,} sites", args.runs)
        _permits(engine, args.runs, f"national: +{args.national:,} sites")
        _tiles(engine, args.runs, f"national: +{args.national:,} sites")
    engine.dispose()
    if args.load:
        from bench import load

        load.main(["--seconds", str(args.load)])
    from bench.demo_load import demo_parts

    demo_parts()
    if args.lists_sites:
        from bench import tipg

        tipg.main(["--sites", str(args.lists_sites), "--runs", str(args.runs)])


if __name__ == "__main__":
    main()
