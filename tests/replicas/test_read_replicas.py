"""Reads on a real streaming replica (tests/replicas/conftest.py), through the app served by uvicorn.

Shown: public reads, tiles, lists, exports, reports and the public look-up are served by the replica
(the debug header says so, and the replica's own statistics count them; a paused replica answers the
public with what it had); a write is read back by its writer at once (cookie or, without cookies, by
token); a replica behind by more than the setting is left out; the replica stopped mid-run, reads
going on from the primary with no error; the replica started again, catching up, used again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from api.reads import COOKIE, DEBUG_HEADER
from registry.cluster import Standby
from registry.db import make_engine
from registry.replicas import ReadReplicas
from registry.settings import Settings
from tests.replicas.conftest import wait_for_database
from tests.scratch import admin_token, scratch_settings, served

LON, LAT = 106.6830, 20.8600
BBOX = "106.60,20.80,106.75,20.90"


@dataclass
class World:
    base: str
    token: str
    settings: Settings
    replicas: ReadReplicas
    standby: Standby
    database: str
    first: str  # the code of the site made before the app started

    def replica_sql(self, sql: str) -> Any:
        url = make_url(self.standby.url(self.database)).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True, connect_timeout=5) as c:
            return c.execute(sql).fetchone()


@pytest.fixture(scope="module")
def world(primary_url: str, standby: Standby) -> Iterator[World]:
    from api.app import create_app
    from tests.factories import make_station

    database = make_url(primary_url).database or ""
    settings = scratch_settings(
        read_database_urls=[standby.url(database)],
        replica_max_lag_s=60.0,
        read_your_writes_s=60.0,
        replica_check_interval_s=0.2,
        read_debug_header=True,
        db_connect_timeout_s=2,
        db_pool_timeout_s=5.0,
    )
    engine = make_engine(primary_url, settings, waits="ordinary")
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session, session.begin():
        first = make_station(session, lon=LON, lat=LAT, station_code="RR-1").site.code
        token = admin_token(session, settings)
    replicas = ReadReplicas(settings.read_database_urls, settings, primary_url=primary_url)
    app = create_app(settings, factory, replicas=replicas)
    try:
        with served(app) as base:
            w = World(base, token, settings, replicas, standby, database, first)
            # The replica has the station once it has replayed past the commit above.
            _until(lambda: replicas.choose() is not None, within_s=60, what="checked")
            _until(lambda: first in _anon(w, "/api/sites", bbox=BBOX).text, within_s=60, what="caught up")
            yield w
    finally:
        replicas.close()
        engine.dispose()


def _until(check: Callable[[], bool], *, within_s: float, what: str) -> None:
    deadline = time.monotonic() + within_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} within {within_s:.0f} s")
        time.sleep(0.1)


def _anon(w: World, path: str, **params: Any) -> httpx.Response:
    with httpx.Client(base_url=w.base, timeout=30) as public:
        return public.get(path, params=params)


def _served_by(response: httpx.Response) -> str:
    return response.headers.get(DEBUG_HEADER, "?")


def test_public_reads_tiles_lists_exports_and_the_look_up_are_served_by_the_replica(world: World) -> None:
    def commits() -> int:
        return int(world.replica_sql(f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{world.database}'")[0])

    before = commits()
    with httpx.Client(base_url=world.base, timeout=30) as public:
        answers = {
            "list": public.get("/api/sites", params={"bbox": BBOX}),
            "nearest": public.get("/api/sites/nearest", params={"lon": LON, "lat": LAT}),
            "stations": public.get("/api/stations", params={"bbox": BBOX}),
            "tile": public.get("/tiles/sites/14/13047/7220.pbf"),
            "export": public.get("/api/sites.csv", params={"bbox": BBOX}),
            "report": public.get("/api/reports/dossiers", params={"from": "2019-01-01", "to": "2019-12-31"}),
            "look-up": public.get("/public/dossiers/HS-2019-000001"),
            "map page": public.get("/maps/stations"),
        }
    for kind, response in answers.items():
        assert response.status_code in (200, 404), (kind, response.status_code, response.text[:300])
        assert _served_by(response) == "replica-1", kind
    assert world.first in answers["list"].text
    health = _anon(world, "/health").json()
    assert health["replicas"] == [
        {"name": "replica-1", "up": True, "usable": True, "lag_s": health["replicas"][0]["lag_s"]}
    ]
    assert health["replicas"][0]["lag_s"] is not None
    # The replica's own count of transactions in the database grew with them (stats are flushed within
    # about a second of the last one).
    _until(lambda: commits() >= before + len(answers) - 1, within_s=15, what="counted on the replica")


def test_writes_and_the_back_office_stay_on_the_primary(world: World) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    with httpx.Client(base_url=world.base, timeout=30, headers=headers) as officer:
        created = officer.post("/api/sites", json={"position": {"lon": 106.6405, "lat": 20.8305}})
        assert created.status_code == 201, created.text
        assert _served_by(created) == "primary"
        office = officer.get("/office/")
        assert office.status_code in (200, 303, 307), office.status_code
        assert _served_by(office) == "primary"
        me = officer.get("/api/auth/me")
        assert me.status_code == 200 and _served_by(me) == "primary"


def test_a_write_is_read_back_by_its_writer_at_once_while_the_public_reads_the_replica(world: World) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    world.replica_sql("SELECT pg_wal_replay_pause()")
    try:
        with httpx.Client(base_url=world.base, timeout=30, headers=headers) as officer:
            created = officer.post("/api/sites", json={"position": {"lon": 106.6411, "lat": 20.8311}})
            assert created.status_code == 201, created.text
            code = created.json()["id"]
            assert COOKIE in officer.cookies  # the writer's mark: its WAL position, signed and dated

            mine = officer.get(f"/api/sites/{code}")
            assert mine.status_code == 200 and _served_by(mine) == "primary"

            # The public reads the replica, which has not replayed the write: proof of who answers.
            theirs = _anon(world, f"/api/sites/{code}")
            assert theirs.status_code == 404 and _served_by(theirs) == "replica-1"

            # A token client that keeps no cookies is known by its recent change in the audit trail.
            with httpx.Client(base_url=world.base, timeout=30, headers=headers) as script:
                again = script.get(f"/api/sites/{code}")
                assert again.status_code == 200 and _served_by(again) == "primary"
    finally:
        world.replica_sql("SELECT pg_wal_replay_resume()")

    # Replayed: the public sees the site on the replica, and so does the writer (its mark is reached).
    _until(lambda: _anon(world, f"/api/sites/{code}").status_code == 200, within_s=60, what="replayed")
    assert _served_by(_anon(world, f"/api/sites/{code}")) == "replica-1"
    with httpx.Client(base_url=world.base, timeout=30, headers=headers, cookies=officer.cookies) as writer:
        _until(lambda: _served_by(writer.get(f"/api/sites/{code}")) == "replica-1", within_s=30, what="writer back")


def test_a_replica_further_behind_than_the_setting_is_left_out(world: World) -> None:
    replicas = world.replicas
    strict = world.settings.model_copy(update={"replica_max_lag_s": 1.0})
    world.replica_sql("SELECT pg_wal_replay_pause()")
    try:
        replicas.settings = strict
        headers = {"Authorization": f"Bearer {world.token}"}
        with httpx.Client(base_url=world.base, timeout=30, headers=headers) as officer:
            made = officer.post("/api/sites", json={"position": {"lon": 106.6422, "lat": 20.8322}})
            assert made.status_code == 201, made.text
            code = made.json()["id"]
        # Paused behind a write, it falls further behind with every check: the public moves to the primary.
        _until(lambda: _served_by(_anon(world, f"/api/sites/{code}")) == "primary", within_s=20, what="left out")
        assert _anon(world, f"/api/sites/{code}").status_code == 200
        assert replicas.status()[0]["usable"] is False
        health = _anon(world, "/health").json()
        assert health["status"] == "ok" and health["replicas"][0]["name"] == "replica-1"
        assert health["replicas"][0]["usable"] is False and "where" not in health["replicas"][0]
    finally:
        world.replica_sql("SELECT pg_wal_replay_resume()")
        replicas.settings = world.settings
    _until(lambda: _served_by(_anon(world, "/api/sites", bbox=BBOX)) == "replica-1", within_s=30, what="back")


def test_the_replica_stopped_mid_run_then_started_again_catches_up_and_is_used_again(world: World) -> None:
    statuses: list[tuple[int, str]] = []
    stop = threading.Event()

    def read_on() -> None:
        paths = [("/api/sites", {"bbox": BBOX}), ("/tiles/sites/14/13047/7220.pbf", {}), ("/api/stations", {})]
        with httpx.Client(base_url=world.base, timeout=30) as public:
            n = 0
            while not stop.is_set():
                path, params = paths[n % len(paths)]
                try:
                    r = public.get(path, params=params)
                    statuses.append((r.status_code, _served_by(r)))
                except httpx.HTTPError as exc:
                    statuses.append((0, type(exc).__name__))
                n += 1

    readers = [threading.Thread(target=read_on, daemon=True) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        _until(lambda: sum(1 for _, by in statuses if by == "replica-1") >= 10, within_s=30, what="reading")
        world.standby.stop(mode="fast")
        stopped_at = len(statuses)
        _until(lambda: len(statuses) >= stopped_at + 30, within_s=60, what="reading on")
        headers = {"Authorization": f"Bearer {world.token}"}
        with httpx.Client(base_url=world.base, timeout=30, headers=headers) as officer:
            made = officer.post("/api/sites", json={"position": {"lon": 106.6433, "lat": 20.8333}})
            assert made.status_code == 201, made.text
            code = made.json()["id"]
        assert _anon(world, f"/api/sites/{code}").status_code == 200  # the primary answers meanwhile
    finally:
        stop.set()
        for t in readers:
            t.join(timeout=60)
        if not world.standby.running():
            world.standby.start()

    failures = [s for s in statuses if s[0] != 200]
    assert not failures, failures[:10]
    after_stop = [by for _, by in statuses[stopped_at + 10 :]]
    assert after_stop and set(after_stop) == {"primary"}, set(after_stop)

    # Started again: it replays what it missed (the site written while it was down) and serves again.
    wait_for_database(world.standby, world.database, within_s=120)

    def replica_has_it() -> bool:
        r = _anon(world, f"/api/sites/{code}")
        return r.status_code == 200 and _served_by(r) == "replica-1"

    _until(replica_has_it, within_s=60, what="caught up and used again")
