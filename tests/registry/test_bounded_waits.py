"""Every wait on the database is bounded, and the station import does not hold the registry-wide
site-writes lock while it reads and checks its file.

On a scratch database with real commits and the app served by a real uvicorn (tests/scratch.py),
with real threads: while an import holds the lock (or a connection standing in for its write phase
does), reads and /health answer, a single POST /api/sites answers 503 with Retry-After after the lock
timeout (or succeeds once the lock is free) — never hangs, never 500; with every pooled connection
taken, a request gets 503 with Retry-After. No duration is asserted: the client timeouts only stop
a test that would otherwise hang.
"""

from __future__ import annotations

import contextlib
import csv
import io
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from registry.db import bound_waits, make_engine
from registry.settings import Settings
from registry.stations.service import lock_site_writes
from tests.scratch import admin_token, scratch_database, scratch_settings, served

LOCK_WAITERS = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with scratch_database("waits") as u:
        yield u


@pytest.fixture
def world(url: str) -> Callable[..., dict[str, Any]]:
    """An app on its own engine with ``overrides`` of the settings, served; cleaned up at the end."""
    from api.app import create_app

    stack: list[Any] = []

    def make(**overrides: Any) -> dict[str, Any]:
        settings = scratch_settings(**overrides)
        engine = make_engine(url, settings)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        with factory() as session, session.begin():
            token = admin_token(session, settings)
        ctx = served(create_app(settings, factory))
        base = ctx.__enter__()
        # The test's own connections (the lock holder, the look at pg_stat_activity) come from a
        # separate engine, so they never take the app's pooled connections.
        side = create_engine(url)
        stack.append((ctx, engine))
        stack.append((contextlib.nullcontext(), side))
        return {"base": base, "token": token, "settings": settings, "engine": engine, "side": side}

    yield make  # type: ignore[misc]
    for ctx, engine in reversed(stack):
        ctx.__exit__(None, None, None)
        engine.dispose()


class LockHolder:
    """A connection of its own holding the site-writes lock, as an import's write phase does."""

    def __init__(self, engine: Engine) -> None:
        self.session = Session(engine)
        self.session.begin()
        bound_waits(self.session, "unbounded")
        lock_site_writes(self.session)

    def release(self, commit: bool = False) -> None:
        (self.session.commit if commit else self.session.rollback)()
        self.session.close()


def _wait_for_lock_waiters(engine: Engine, n: int) -> None:
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while conn.execute(text(LOCK_WAITERS)).scalar_one() < n:
            assert time.monotonic() < deadline, f"fewer than {n} sessions came to wait for the lock"
            time.sleep(0.05)
            conn.rollback()


def _busy(response: httpx.Response, settings: Settings) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == str(settings.db_retry_after_s)
    body = response.json()
    assert body["title"] == "Hệ thống đang bận" and body["detail"].startswith("Hệ thống đang bận")
    assert "55P03" not in response.text and "57014" not in response.text and "psycopg" not in response.text


def _site(n: int, *, code: str | None = None) -> dict[str, Any]:
    # North of the import's rows (20.80–20.84) and of the re-check's point.
    body: dict[str, Any] = {"position": {"lon": 106.55 + (n % 200) * 0.0011, "lat": 20.88 + (n // 200) * 0.0011}}
    if code:
        body["code"] = code
    return body


def test_a_single_post_gets_503_with_retry_after_while_the_lock_is_held_and_reads_answer(
    world: Callable[..., dict[str, Any]],
) -> None:
    w = world(db_lock_timeout_ms=300, db_retry_after_s=4)
    holder = LockHolder(w["side"])
    try:
        with httpx.Client(base_url=w["base"], headers={"Authorization": f"Bearer {w['token']}"}, timeout=30) as c:
            _busy(c.post("/api/sites", json=_site(1)), w["settings"])
            # Hostile bodies are still refused for what they are (422), not by the lock.
            bad = c.post("/api/sites", json={"position": {"lon": "1e999", "lat": "<script>"}})
            assert bad.status_code == 422
            assert c.get("/api/sites", params={"bbox": "106.5,20.7,106.9,21.0"}).status_code == 200
            assert c.get("/health").status_code == 200
            # Reads go on while the waiting writer is refused: the lock never reaches them.
            _busy(c.post("/api/sites", json=_site(2)), w["settings"])
            holder.release()
            created = c.post("/api/sites", json=_site(3))
            assert created.status_code == 201, created.text
    finally:
        if holder.session.in_transaction():
            holder.release()


def test_with_every_connection_taken_a_request_gets_503_and_retry_after(
    world: Callable[..., dict[str, Any]],
) -> None:
    # Three pooled connections: two taken by writers waiting for the lock (long lock and statement
    # timeouts here, as in the report), the third by this test.
    w = world(
        db_pool_size=3,
        db_max_overflow=0,
        db_pool_timeout_s=0.5,
        db_lock_timeout_ms=60_000,
        db_statement_timeout_ms=60_000,
    )
    holder = LockHolder(w["side"])
    results: list[int] = []

    def post(n: int) -> None:
        with httpx.Client(base_url=w["base"], headers={"Authorization": f"Bearer {w['token']}"}, timeout=60) as c:
            results.append(c.post("/api/sites", json=_site(n)).status_code)

    writers = [threading.Thread(target=post, args=(100 + i,)) for i in range(2)]
    taken = None
    try:
        for i, t in enumerate(writers, start=1):
            t.start()
            _wait_for_lock_waiters(w["side"], i)
        taken = w["engine"].connect()
        with httpx.Client(base_url=w["base"], timeout=30) as public:
            _busy(public.get("/api/sites", params={"bbox": "106.5,20.7,106.9,21.0"}), w["settings"])
            _busy(public.get("/api/sites/nearest", params={"lon": 106.6, "lat": 20.8}), w["settings"])
            health = public.get("/health")
            assert health.status_code == 503 and health.headers["retry-after"] == str(w["settings"].db_retry_after_s)
    finally:
        if taken is not None:
            taken.close()
        holder.release()
        for t in writers:
            t.join(timeout=60)
    # The waiting writers went through once the lock was free: nothing hung, nothing failed.
    assert sorted(results) == [201, 201]


def _import_file(rows: int, start: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Mã trạm", "Doanh nghiệp", "Kinh độ", "Vĩ độ", "Công nghệ"])
    for i in range(rows):
        n = start + i
        lon, lat = 106.55 + (n % 100) * 0.002, 20.80 + n // 100 * 0.002
        writer.writerow([f"BW{n:06d}", "Viettel", f"{lon:.5f}", f"{lat:.5f}", "4G"])
    return out.getvalue().encode()


def test_reads_and_single_writes_keep_answering_while_a_large_import_runs(
    world: Callable[..., dict[str, Any]],
) -> None:
    w = world(db_lock_timeout_ms=1_000)
    auth = {"Authorization": f"Bearer {w['token']}"}
    outcome: dict[str, Any] = {}

    def run_import() -> None:
        with httpx.Client(base_url=w["base"], headers=auth, timeout=600) as c:
            r = c.post("/api/imports/stations", files={"file": ("lon.csv", _import_file(2_000, 0), "text/csv")})
            outcome["status"], outcome["body"] = r.status_code, r.json()

    importer = threading.Thread(target=run_import)
    importer.start()
    seen: dict[str, set[int]] = {"list": set(), "health": set(), "post": set()}
    created: list[str] = []
    n = 0
    with httpx.Client(base_url=w["base"], headers=auth, timeout=30) as c:
        while importer.is_alive() or n == 0:
            seen["list"].add(c.get("/api/sites", params={"bbox": "106.3,20.5,106.9,21.0", "limit": 10}).status_code)
            seen["health"].add(c.get("/health").status_code)
            r = c.post("/api/sites", json=_site(1_000 + n))
            seen["post"].add(r.status_code)
            if r.status_code == 201:
                created.append(r.json()["id"])
            else:
                _busy(r, w["settings"])
            n += 1
        importer.join(timeout=600)
        assert outcome["status"] == 200, outcome
        assert outcome["body"]["stations_created"] == 2_000
        assert seen["list"] == {200} and seen["health"] == {200}, seen
        assert seen["post"] <= {201, 503}, seen
        # Once the import is over, a single write goes through, and every site answered 201 exists.
        after = c.post("/api/sites", json=_site(5_000))
        assert after.status_code == 201, after.text
        for code in created:
            assert c.get(f"/api/sites/{code}").status_code == 200


def test_the_import_checks_its_file_without_the_lock_and_checks_again_under_it(
    world: Callable[..., dict[str, Any]],
) -> None:
    from registry.stations.importer import import_rows
    from tests.factories import make_site

    w = world()
    engine: Engine = w["side"]
    lon, lat = 106.3333, 20.9444
    rows = [
        (2, {"station_code": "RECHECK-1", "operator": "Viettel", "lon": str(lon), "lat": str(lat)}),
        (3, {"station_code": "RECHECK-2", "operator": "VinaPhone", "lon": "106.3601", "lat": "20.9601"}),
    ]
    holder = LockHolder(engine)
    outcome: dict[str, Any] = {}

    def run() -> None:
        with Session(engine) as session, session.begin():
            bound_waits(session, "unbounded")
            outcome["report"] = import_rows(session, rows=rows, settings=w["settings"])

    importer = threading.Thread(target=run)
    try:
        importer.start()
        # The import has parsed its rows and checked them against the registry, and only now waits
        # for the lock: it never held the lock while reading its file.
        _wait_for_lock_waiters(engine, 1)
        # Meanwhile another writer puts a site 1 m from the file's first (code-less) row and commits.
        existing = make_site(holder.session, lon=lon + 0.00001, lat=lat)
        code = existing.code
        holder.release(commit=True)
        importer.join(timeout=120)
    finally:
        if holder.session.in_transaction():
            holder.release()
    report = outcome["report"]
    # Checked again under the lock: the row joins the site that appeared instead of a duplicate 1 m away.
    assert report.sites_created == 1 and report.stations_created == 2
    assert any(x.code == "joined_site" and code in x.message for x in report.warnings), report.warnings
    with engine.connect() as conn:
        close_pairs = conn.execute(
            text(
                "SELECT count(*) FROM site a JOIN site b ON a.id < b.id "
                "AND ST_DWithin(a.geom::geography, b.geom::geography, 5)"
            )
        ).scalar_one()
        on_site = conn.execute(
            text("SELECT s.code FROM station st JOIN site s ON s.id = st.site_id WHERE st.station_code = 'RECHECK-1'")
        ).scalar_one()
    assert close_pairs == 0 and on_site == code
