"""The read-replica routing's parts that need no replica (tests/replicas/ runs a real one): WAL
positions and how they compare, the writer's signed cookie, the choice among replicas by health and
lag, which errors send a read elsewhere, the settings, the pooler mode of the engine, and that with
no replica configured nothing changes."""

from __future__ import annotations

import time

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from api.reads import COOKIE, DEBUG_HEADER, PRIMARY_ROUTES, _replica_fault, mark, read_mark
from registry.db import WAITS, make_engine
from registry.replicas import ReadReplicas, WalLayout, format_lsn, parse_lsn
from registry.settings import Settings
from tests.conftest import TEST_SECRET

LAYOUT = WalLayout()
PAGE = LAYOUT.page_bytes
SEGMENT = LAYOUT.segment_bytes


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_lsn_text_round_trips(value: int) -> None:
    assert parse_lsn(format_lsn(value)) == value


@pytest.mark.parametrize("bad", ["", "/", "0/", "/0", "16B374D848", "1/2/3", "G/0", "123456789/0", " 0/0x1", "∞/1"])
def test_malformed_lsns_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_lsn(bad)


def test_out_of_range_lsns_are_not_formatted() -> None:
    for bad in (-1, 2**64):
        with pytest.raises(ValueError):
            format_lsn(bad)


@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=0, max_value=2**20))
def test_record_bytes_never_go_backwards(lsn: int, step: int) -> None:
    assert LAYOUT.record_bytes(lsn + step) >= LAYOUT.record_bytes(lsn)


def test_record_bytes_leave_page_headers_out() -> None:
    start = 5 * SEGMENT
    assert LAYOUT.record_bytes(start + LAYOUT.LONG_HEADER) == LAYOUT.record_bytes(start)  # a segment's first page
    page = start + 3 * PAGE
    assert LAYOUT.record_bytes(page + LAYOUT.SHORT_HEADER) == LAYOUT.record_bytes(page)
    assert LAYOUT.record_bytes(page + LAYOUT.SHORT_HEADER + 100) - LAYOUT.record_bytes(page) == 100
    # A record that ends a page: the next one's start, past the next page's header, is reached by it.
    assert LAYOUT.reached(page, page + LAYOUT.SHORT_HEADER)


def test_a_position_is_reached_only_by_the_record_ending_at_it() -> None:
    insert = 7 * SEGMENT + 10 * PAGE + 1000  # the next record's start (8-byte aligned)
    assert LAYOUT.reached(insert, insert) and LAYOUT.reached(insert + 5000, insert)
    assert LAYOUT.reached(insert - 7, insert), "the last record may end up to 7 bytes before (alignment)"
    assert not LAYOUT.reached(insert - 8, insert) and not LAYOUT.reached(insert - 24, insert)


def _settings(**overrides: object) -> Settings:
    return Settings(environment="production", secret_key=TEST_SECRET, map_tiles_url=None, **overrides)  # type: ignore[arg-type]


def test_the_writers_mark_is_signed_dated_and_bounded() -> None:
    settings = _settings(read_your_writes_s=30.0)
    now = time.time()
    value = mark(0x16B374D848, settings, now=now)
    assert read_mark(value, settings, now=now + 1) == 0x16B374D848
    assert read_mark(value, settings, now=now + 31) is None, "expired"
    assert read_mark(value, settings, now=now - 60) is None, "from the future"
    other = Settings(
        environment="production", secret_key="another-secret-key-of-32-characters-or-more", map_tiles_url=None
    )
    assert read_mark(value, other, now=now) is None, "signed with another key"
    lsn, when, mac = value.split(".")
    forged = f"{int(lsn, 16) + 1:x}.{when}.{mac}"
    assert read_mark(forged, settings, now=now) is None, "a changed position breaks the signature"
    for hostile in ("", "x", "1.2", "..", value + "0", value.upper(), "<script>", "0." * 100, "\x00" + value, None):
        assert read_mark(hostile, settings, now=now) is None, hostile


class _Fake:
    """ReadReplicas over two replicas nobody connects to: their state is set by hand."""

    def __init__(self, **overrides: object) -> None:
        self.settings = _settings(replica_max_lag_s=5.0, **overrides)
        urls = ["postgresql://u:secret@127.0.0.1:1/a", "postgresql://u@127.0.0.1:2/a"]
        self.replicas = ReadReplicas(urls, self.settings, primary_url="postgresql://u@127.0.0.1:3/a")
        self.replicas.start = lambda: None  # type: ignore[method-assign]  (no checking thread)
        now = time.monotonic()
        for r in self.replicas.replicas:
            r.up, r.lag_s, r.checked_at, r.replay_lsn = True, 0.1, now, 10 * PAGE + 64

    def close(self) -> None:
        self.replicas.close()


def test_replicas_are_used_in_turn_while_well_and_close_enough() -> None:
    fake = _Fake()
    try:
        rs = fake.replicas
        one, two = rs.replicas
        assert {rs.choose().name for _ in range(4)} == {"replica-1", "replica-2"}  # type: ignore[union-attr]
        one.lag_s = 6.0  # further behind than the setting
        assert {rs.choose().name for _ in range(4)} == {"replica-2"}  # type: ignore[union-attr]
        two.checked_at = time.monotonic() - 10  # not checked for longer than the setting allows
        assert rs.choose() is None
        two.checked_at = time.monotonic()
        two.up = False  # did not answer its last check
        assert rs.choose() is None
        two.up = True
        assert rs.choose(exclude={"replica-2"}) is None, "a replica that failed this request is not asked again"
        # A reader who wrote needs a replica that has replayed its position.
        assert rs.choose(after_lsn=10 * PAGE + 64).name == "replica-2"  # type: ignore[union-attr]
        assert rs.choose(after_lsn=10 * PAGE + 200) is None
        assert "secret" not in str(rs.status()) and rs.status()[0]["where"] == "127.0.0.1:1/a"
    finally:
        fake.close()


def test_lag_is_the_age_of_the_newest_primary_position_a_replica_has_reached() -> None:
    fake = _Fake()
    try:
        rs = fake.replicas
        rs._positions.extend([(100.0, 10 * PAGE + 64), (101.0, 11 * PAGE + 64), (102.0, 12 * PAGE + 64)])
        assert rs.lag(12 * PAGE + 64, at=102.5) == 0.5
        assert rs.lag(11 * PAGE + 100, at=102.5) == 1.5
        assert rs.lag(10 * PAGE, at=102.5) == float("inf"), "behind every noted position"
    finally:
        fake.close()


def test_which_failures_send_a_read_elsewhere() -> None:
    def error(state: str | None) -> sa_exc.DBAPIError:
        orig = psycopg.errors.lookup(state)("x") if state else psycopg.OperationalError("x")
        return sa_exc.OperationalError("SELECT 1", {}, orig)

    assert _replica_fault(error(None)) == ("OperationalError", True)  # refused, dropped
    assert _replica_fault(error("57P01")) == ("SQLSTATE 57P01", True)  # shut down
    assert _replica_fault(error("40001")) == ("SQLSTATE 40001", False)  # cancelled by replay
    assert _replica_fault(error("25006")) == ("SQLSTATE 25006", False)  # a write on a replica
    assert _replica_fault(error("57014")) is None, "a slow statement would be as slow elsewhere"
    assert _replica_fault(sa_exc.TimeoutError()) is None, "a full pool is busy, not broken"
    assert _replica_fault(ValueError("not the database")) is None


def test_the_back_office_and_signing_in_stay_on_the_primary() -> None:
    for path in ("/office", "/office/", "/office/sites", "/api/auth/me", "/api/auth/token"):
        assert PRIMARY_ROUTES.match(path), path
    for path in ("/api/sites", "/tiles/sites/1/0/0.pbf", "/public/dossiers/X", "/officer", "/api/authors"):
        assert not PRIMARY_ROUTES.match(path), path


def test_read_urls_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTTT_READ_DATABASE_URLS", " postgresql://a@h1/db , postgresql+psycopg://b@h2:5433/db ,")
    assert Settings().read_database_urls == ["postgresql://a@h1/db", "postgresql+psycopg://b@h2:5433/db"]
    monkeypatch.setenv("TTTT_READ_DATABASE_URLS", "")
    assert Settings().read_database_urls == []
    for bad in ("mysql://x@h/db", "h1:5432", "postgresql://a@h/db,<script>"):
        monkeypatch.setenv("TTTT_READ_DATABASE_URLS", bad)
        with pytest.raises(ValueError, match="TTTT_READ_DATABASE_URLS"):
            Settings()


def test_with_no_replica_everything_is_as_before(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    assert app.state.replicas is None
    made = client.post("/api/sites", json={"position": {"lon": 106.6401, "lat": 20.8402}})
    assert made.status_code == 201, made.text
    assert COOKIE not in made.cookies and DEBUG_HEADER.lower() not in made.headers
    read = client.get("/api/sites")
    assert read.status_code == 200 and DEBUG_HEADER.lower() not in read.headers


def test_an_app_from_settings_has_replicas_only_when_configured() -> None:
    from sqlalchemy.orm import sessionmaker

    from api.app import create_app

    assert create_app(_settings(), sessionmaker()).state.replicas is None
    urls = ["postgresql://u@127.0.0.1:9/a"]
    fake = ReadReplicas(urls, _settings(), primary_url="postgresql://u@127.0.0.1:9/b")
    try:
        assert create_app(_settings(), sessionmaker(), replicas=fake).state.replicas is fake
    finally:
        fake.close()


def test_pooler_mode_bounds_every_transaction_and_prepares_nothing(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    settings = _settings(db_transaction_pooler=True, db_statement_timeout_ms=4321, db_lock_timeout_ms=1234)
    pooled = make_engine(url, settings, waits="ordinary")
    try:
        for info in ({WAITS: ("ordinary", settings)}, {}):  # a request's session, then one with no bounds
            with Session(pooled, info=info) as session, session.begin():
                values = session.execute(text("SELECT current_setting('statement_timeout'), current_setting('jit')"))
                assert values.one() == ("4321ms", "off")
        with Session(pooled, info={WAITS: ("long", settings)}) as session, session.begin():
            assert session.execute(text("SHOW statement_timeout")).scalar_one() == "10min"
        with pooled.connect() as c:  # nothing was set for the connection itself (a pooler would lose it)
            raw = c.connection.dbapi_connection
            assert raw.prepare_threshold is None  # type: ignore[union-attr]
            assert c.execute(text("SHOW statement_timeout")).scalar_one() == "0"
    finally:
        pooled.dispose()
