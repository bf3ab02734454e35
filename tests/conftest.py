"""A real PostGIS per test run: a fresh database built by the Alembic migrations, and each test in
a transaction rolled back at the end (SQLAlchemy's "join into an external transaction" recipe)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from registry.cluster import Cluster
from registry.db import database_url
from registry.migrations import upgrade
from registry.settings import Settings, get_settings


def _test_url() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    settings = get_settings()
    if not settings.database_url:
        Cluster(settings.data_dir).start()
    url = make_url(database_url(settings))
    return url.set(database=f"{url.database}_test").render_as_string(hide_password=False)


def _recreate(url: str) -> None:
    u = make_url(url)
    admin = u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{u.database}"')


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    url = _test_url()
    _recreate(url)
    upgrade(url)
    eng = create_engine(url)
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


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def client(session_factory: sessionmaker[Session], settings: Settings) -> Iterator[TestClient]:
    from api.app import create_app

    app = create_app(settings, session_factory)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
