"""The database going away and coming back, without touching the shared cluster: the app's engine
talks to PostgreSQL through a relay of our own (tests/relay.py) that the test cuts and restores.

While it is cut, every kind of route (list, one record, write, tile, export, health) answers 503
problem+json with Retry-After, on the same keep-alive connections, none dropped without an answer;
once it is restored the service recovers by itself."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from registry.db import make_engine
from registry.settings import Settings
from tests.relay import Relay
from tests.scratch import admin_token, scratch_database, scratch_settings, served

LON, LAT = 106.6830, 20.8600


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, Any]]:
    from api.app import create_app
    from tests.factories import make_station

    with scratch_database("down") as url:
        target = make_url(url)
        relay = Relay(target.host or "127.0.0.1", target.port or 5432)
        settings = scratch_settings(db_pool_timeout_s=2.0, db_connect_timeout_s=2, db_retry_after_s=7)
        engine = make_engine(target.set(port=relay.port).render_as_string(hide_password=False), settings)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        with factory() as session, session.begin():
            station = make_station(session, lon=LON, lat=LAT, station_code="DOWN-1")
            code = station.site.code
            token = admin_token(session, settings)
        app = create_app(settings, factory)
        try:
            with served(app) as base:
                yield {"base": base, "relay": relay, "code": code, "token": token, "settings": settings}
        finally:
            engine.dispose()
            relay.close()


def _requests(code: str, n: int) -> list[tuple[str, str, dict[str, Any]]]:
    """One of every kind of route; ``n`` keeps written sites apart (no duplicate-site refusal)."""
    return [
        ("list", "GET", {"url": "/api/sites", "params": {"bbox": "106.6,20.8,106.8,20.9"}}),
        ("one record", "GET", {"url": f"/api/sites/{code}"}),
        ("nearest", "GET", {"url": "/api/sites/nearest", "params": {"lon": LON, "lat": LAT}}),
        ("tile", "GET", {"url": "/tiles/sites/14/13047/7220.pbf"}),
        ("export", "GET", {"url": "/api/stations.csv"}),
        ("write", "POST", {"url": "/api/sites", "json": {"position": {"lon": 106.60 + n * 0.001, "lat": 20.80}}}),
        ("health", "GET", {"url": "/health"}),
    ]


def _assert_unavailable(kind: str, response: httpx.Response, settings: Settings) -> None:
    assert response.status_code == 503, (kind, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json"), kind
    assert response.headers["retry-after"] == str(settings.db_retry_after_s), kind
    body = response.json()
    assert body["status"] == 503 and body["type"].endswith("/unavailable"), kind
    # Vietnamese text; never database or driver text.
    assert "psycopg" not in response.text and "connection" not in response.text.lower(), kind


def test_every_route_answers_503_while_the_database_is_unreachable_and_recovers(world: dict[str, Any]) -> None:
    relay: Relay = world["relay"]
    settings: Settings = world["settings"]
    headers = {"Authorization": f"Bearer {world['token']}"}
    # One keep-alive connection for everything: an exception escaping after an answer made the server
    # close it, and the next request on it was lost without any answer.
    with httpx.Client(base_url=world["base"], headers=headers, timeout=30) as client:
        for kind, method, kw in _requests(world["code"], 0):
            response = client.request(method, **kw)
            assert response.status_code in (200, 201), (kind, response.status_code, response.text[:300])

        relay.cut()
        for round_ in range(3):  # more than once: no connection is dropped after a 503
            for kind, method, kw in _requests(world["code"], 1 + round_):
                _assert_unavailable(kind, client.request(method, **kw), settings)
        # Anonymous reads too (their first database work is the route's own session, not the token).
        with httpx.Client(base_url=world["base"], timeout=30) as public:
            for path in ("/api/sites", f"/api/sites/{world['code']}", "/tiles/sites/14/13047/7220.pbf"):
                _assert_unavailable(path, public.get(path), settings)

        relay.restore()
        # The pool's connections died with the cut; pre-ping replaces them, with nothing restarted.
        deadline = time.monotonic() + 30
        pending = {kind for kind, _, _ in _requests(world["code"], 0)}
        n = 10
        while pending and time.monotonic() < deadline:
            for kind, method, kw in _requests(world["code"], n):
                if kind in pending and client.request(method, **kw).status_code in (200, 201):
                    pending.discard(kind)
            n += 1
            time.sleep(0.2)
        assert not pending, f"not recovered: {sorted(pending)}"


def test_hostile_input_while_down_is_still_refused_or_503_never_500(world: dict[str, Any]) -> None:
    relay: Relay = world["relay"]
    headers = {"Authorization": f"Bearer {world['token']}"}
    relay.cut()
    try:
        with httpx.Client(base_url=world["base"], headers=headers, timeout=30) as client:
            for kw in (
                {"url": "/api/sites", "params": {"bbox": "1,2,x"}},
                {"url": "/api/sites/%3Cscript%3E'--"},
                {"url": "/api/sites/" + "A" * 5000},
                {"url": "/tiles/sites/99/0/0.pbf"},
                {"url": "/api/stations.csv", "params": {"operator": "\x00"}},
            ):
                response = client.get(**kw)
                assert response.status_code in (400, 404, 413, 414, 422, 503), (kw, response.status_code)
                assert response.headers["content-type"].startswith("application/problem+json"), kw
                if response.status_code == 503:
                    assert "retry-after" in response.headers
            bad = client.post("/api/sites", content=b"{not json", headers={"Content-Type": "application/json"})
            assert bad.status_code in (422, 503) and bad.status_code != 500
    finally:
        relay.restore()


def test_pool_timeout_engine_setting_is_applied() -> None:
    settings = scratch_settings(db_pool_size=3, db_max_overflow=2, db_pool_timeout_s=1.5, db_connect_timeout_s=4)
    engine = make_engine("postgresql+psycopg://tttt@127.0.0.1:1/none", settings)
    try:
        assert engine.pool.size() == 3  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 2  # type: ignore[attr-defined]
        assert engine.pool._timeout == 1.5  # type: ignore[attr-defined]
        with pytest.raises(Exception) as exc_info, Session(engine) as session:
            session.connection()  # nothing listens on port 1: refused at once, not a hang
        from registry.db import as_unavailable

        unavailable = as_unavailable(exc_info.value, settings)
        assert unavailable is not None and unavailable.status == 503
        assert "Hệ thống đang bận" in unavailable.detail
        assert unavailable.extra["retry_after"] == settings.db_retry_after_s
    finally:
        engine.dispose()
