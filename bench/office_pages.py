"""The back office's pages, server time: ``python -m bench.office_pages [--sites 100000] [--runs 30]``.

On a database of its own (``<db>_office``, rebuilt), the Hải Phòng demo, then again after adding
``--sites`` synthetic sites across Vietnam: each list and form page a licensing officer opens in a
day is requested ``--runs`` times in-process (the app's whole answer: permission, queries, template)
as a signed-in officer with the session cookie. p50 and p95 are printed with the ratio to the target
(p95 ≤ 300 ms; ratio < 1 means within target), and the cold time of the first answer after a write
(what registry.memo remembers is then worked out afresh). A page that answers other than 200 is reported,
not timed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.databases import bench_database
from registry.db import make_engine
from registry.migrations import upgrade

TARGET_MS = 300.0


def pages(session: Session) -> list[tuple[str, str]]:
    """(name, URL) of the pages, with real codes from the database."""
    site = session.scalar(text("SELECT code FROM site WHERE code LIKE 'HP-%' ORDER BY code LIMIT 1 OFFSET 100"))
    station = session.scalar(text("SELECT id FROM station ORDER BY id LIMIT 1 OFFSET 100"))
    permit = session.scalar(text("SELECT id FROM permit ORDER BY id LIMIT 1 OFFSET 10"))
    zone = session.scalar(text("SELECT code FROM planning_zone ORDER BY code LIMIT 1"))
    licence = session.scalar(text("SELECT id FROM frequency_licence ORDER BY id LIMIT 1"))
    urls = [
        ("home", "/office/"),
        ("sites: list", "/office/sites"),
        ("sites: search", "/office/sites?q=le+chan"),
        ("sites: filtered, sorted", "/office/sites?operator=VIETTEL&technology=4G&sort=-code&page=3"),
        ("sites: permit problem", "/office/sites?permit_problem=1"),
        ("sites: one commune", "/office/sites?admin_unit=L%C3%AA+Ch%C3%A2n"),
        ("site: record", f"/office/sites/{site}"),
        ("site: new form", "/office/sites/new"),
        ("site: edit form", f"/office/sites/{site}/edit"),
        ("station: edit form", f"/office/stations/{station}/edit"),
        ("permits: list", "/office/permits"),
        ("permit: record", f"/office/permits/{permit}"),
        ("permit: new form", f"/office/permits/new?site_code={site}&kind=construction_permit"),
        ("work: index with counts", "/office/work"),
        ("work: expiring", "/office/work/expiring"),
        ("work: missing", "/office/work/missing"),
        ("work: missing, page 5", "/office/work/missing?page=5"),
        ("work: expired inspections", "/office/work/expired-inspections"),
        (
            "check: proposed site",
            "/office/check?position.crs=4326&position.lon=106.68&position.lat=20.86&pole_class=A2b&pole_height_m=30",
        ),
        ("zones: list", "/office/zones"),
        ("zone: record", f"/office/zones/{zone}"),
        ("licences: list", "/office/licences"),
        ("licence: edit form", f"/office/licences/{licence}/edit"),
        ("import: form", "/office/sites/import"),
    ]
    return urls


def _signed_in(app, session: Session) -> TestClient:  # type: ignore[no-untyped-def]
    from api.access import COOKIE
    from registry.accounts import tokens
    from registry.accounts.models import User

    user = session.scalar(text("SELECT id FROM app_user WHERE username = 'bench.officer'"))
    if user is None:
        session.add(User(username="bench.officer", roles=["licensing_officer"], active=True,
                         password_hash="!", failed_logins=0))  # fmt: skip
        session.flush()
    officer = session.query(User).filter_by(username="bench.officer").one()
    token = tokens.issue(session, officer, secret=app.state.settings.secret(), ttl=timedelta(hours=2)).token
    session.commit()
    client = TestClient(app, raise_server_exceptions=False)
    client.cookies.set(COOKIE, token)
    return client


def measure(url: str, runs: int, label: str) -> None:
    from pydantic import SecretStr
    from sqlalchemy.orm import sessionmaker

    from api.app import create_app
    from registry.settings import get_settings

    engine = make_engine(url)
    settings = get_settings().model_copy(update={"map_tiles_url": None, "secret_key": SecretStr("b" * 48)})
    app = create_app(settings, sessionmaker(bind=engine, expire_on_commit=False))
    with Session(engine) as session:
        client = _signed_in(app, session)
        urls = pages(session)
    print(f"\n[{label}: back-office pages, {runs} runs each; target p95 {TARGET_MS:.0f} ms]")
    print(f"{'page':34} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6}")
    worst = 0.0
    for name, path in urls:
        # Cold: the first answer after a write anywhere (a committed transaction id moves every
        # snapshot, so nothing remembered by registry.memo is reused).
        with engine.connect() as c:
            c.execute(text("SELECT txid_current()"))
            c.commit()
        t = time.perf_counter()
        first = client.get(path)
        cold = (time.perf_counter() - t) * 1000
        if first.status_code != 200:
            print(f"{name:34} answered {first.status_code}: not timed")
            continue
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        p50, p95 = statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]
        worst = max(worst, p95 / TARGET_MS)
        print(f"{name:34} {cold:8.1f} {p50:8.1f} {p95:8.1f} {p95 / TARGET_MS:6.2f}")
    print(f"worst p95 / target: {worst:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=100_000, help="synthetic sites added for the second pass")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="reuse the database of the last run (no reload)")
    args = parser.parse_args()
    from fixtures.demo import load_demo
    from fixtures.synthetic import add_synthetic_sites

    url = bench_database("office", keep=args.keep)
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        print(load_demo(session))
        synthetic = session.scalar(text("SELECT count(*) FROM site WHERE code LIKE 'SY-%'"))
    if synthetic:
        measure(url, args.runs, f"demo + {synthetic:,} sites (kept from the last run)")
        return
    with Session(engine) as session, session.begin():
        session.execute(text("ANALYZE"))
    measure(url, args.runs, "demo")
    if args.sites:
        with Session(engine) as session, session.begin():
            add_synthetic_sites(session, sites=args.sites)
        with Session(engine) as session, session.begin():
            session.execute(text("ANALYZE"))
        measure(url, args.runs, f"demo + {args.sites:,} sites")


if __name__ == "__main__":
    main()
