"""A real PostGIS per test run: a fresh database built by the Alembic migrations, and each test in
a transaction rolled back at the end (SQLAlchemy's "join into an external transaction" recipe)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from datetime import timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from registry.accounts import tokens
from registry.accounts.models import User
from registry.accounts.passwords import hash_password
from registry.cluster import Cluster
from registry.db import database_url
from registry.migrations import upgrade
from registry.settings import Settings, get_settings

# An answer that does not match its documented model fails the test (api/bodies), not only a log line.
os.environ.setdefault("TTTT_STRICT_RESPONSES", "1")


def _test_url() -> str:
    """The run's database; each pytest-xdist worker (``make test`` runs two or more) gets its own,
    named after it, so workers never see each other's rows."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if os.environ.get("TEST_DATABASE_URL"):
        url = make_url(os.environ["TEST_DATABASE_URL"])
        return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False) if worker else (
            os.environ["TEST_DATABASE_URL"])  # fmt: skip
    settings = get_settings()
    if not settings.database_url:
        Cluster(settings.data_dir).start()
    url = make_url(database_url(settings))
    name = f"{url.database}_test" + (f"_{worker}" if worker else "")
    return url.set(database=name).render_as_string(hide_password=False)


def _recreate(url: str) -> None:
    u = make_url(url)
    admin = u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{u.database}"')


def _no_autovacuum(url: str) -> None:
    """Autovacuum off for the test database's tables. Every test's rows are rolled back, so a vacuum
    between tests finds the tables empty and records them as holding no row; the planner then
    expects one row where a test has inserted thousands and nests loops over them (a tile test that
    takes 3 s took 2 minutes whenever autovacuum had passed before it). Never vacuumed, a table's
    size is estimated from its pages, as PostgreSQL does for a table it knows nothing about."""
    u = make_url(url).set(drivername="postgresql")
    with psycopg.connect(u.render_as_string(hide_password=False), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        for (table,) in tables:
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)")


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    url = _test_url()
    _recreate(url)
    upgrade(url)
    _no_autovacuum(url)
    # The same session options as the app's engine (registry.db.make_engine): no JIT.
    eng = create_engine(url, connect_args={"options": "-c jit=off"})
    from fixtures.demo import load_admin_units

    with Session(eng) as session, session.begin():
        load_admin_units(session)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


TEST_SECRET = "test-secret-key-for-the-test-run-only-0123456789"
TEST_PASSWORD = "mật-khẩu-thử-nghiệm-1"


@pytest.fixture
def settings() -> Settings:
    # No base-map tiles: tests never reach the internet.
    return Settings(environment="production", secret_key=TEST_SECRET, map_tiles_url=None)


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(TEST_PASSWORD)  # argon2 is slow on purpose: hash once per run


MakeUser = Callable[..., User]
TokenFor = Callable[..., str]


@pytest.fixture
def make_user(db: Session, password_hash: str) -> MakeUser:
    """A user with the given roles (password TEST_PASSWORD), flushed so the API sees it."""
    serial = itertools.count(1)

    def make(*roles: str, username: str | None = None, active: bool = True) -> User:
        user = User(
            username=username or f"u{next(serial)}-" + ("-".join(r.replace("_", "-") for r in roles) or "none"),
            roles=list(roles),
            active=active,
            password_hash=password_hash,
            failed_logins=0,
        )
        db.add(user)
        db.flush()
        return user

    return make


@pytest.fixture
def token_for(db: Session, settings: Settings, make_user: MakeUser) -> TokenFor:
    """A bearer token for a new user holding ``roles`` (no password round trip: argon2 is slow)."""

    def issue(*roles: str, username: str | None = None) -> str:
        user = make_user(*roles, username=username)
        token = tokens.issue(db, user, secret=settings.secret(), ttl=timedelta(hours=1)).token
        db.flush()
        return token

    return issue


@pytest.fixture(scope="session")
def shared_app():  # type: ignore[no-untyped-def]
    from api.app import create_app

    return create_app(Settings(secret_key=TEST_SECRET), sessionmaker())


@pytest.fixture
def app(shared_app, session_factory: sessionmaker[Session], settings: Settings):  # type: ignore[no-untyped-def]
    """The application (built once per run: it is slow to build) bound to this test's transaction
    and settings; the app reads both from its state at request time."""
    shared_app.state.sessionmaker = session_factory
    shared_app.state.settings = settings
    return shared_app


ClientAs = Callable[..., TestClient]


@pytest.fixture
def client_as(app, token_for: TokenFor) -> Iterator[ClientAs]:  # type: ignore[no-untyped-def]
    """A client signed in as a new user holding ``roles``; no roles: the anonymous public."""
    opened: list[TestClient] = []

    def make(*roles: str, username: str | None = None) -> TestClient:
        headers = {"Authorization": f"Bearer {token_for(*roles, username=username)}"} if roles else {}
        c = TestClient(app, raise_server_exceptions=False, headers=headers)
        c.__enter__()
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture
def client(client_as: ClientAs) -> TestClient:
    """A client signed in as an admin (user "admin-test"), for tests about the registry itself."""
    return client_as("admin", username="admin-test")


@pytest.fixture
def anon(client_as: ClientAs) -> TestClient:
    """A client with no token: the public."""
    return client_as()


@pytest.fixture(scope="session", autouse=True)
def _one_chromium_per_run() -> Iterator[None]:
    """The browser tests share one Chromium (tests/maps/browser.py); it is stopped when the run ends."""
    yield
    import sys

    browser = sys.modules.get("tests.maps.browser")
    if browser is not None:
        browser.stop_chromium()
