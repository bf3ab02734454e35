"""Engine, sessions and the one transaction scope shared by the API, the CLI and jobs.

Services add and flush; whoever opened the scope commits (or rolls back on any error).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import registry.audit.listener  # noqa: F401  (every session the registry opens keeps the audit trail)
import registry.models  # noqa: F401  (every mapped table for every entry point: a foreign key to another area resolves)
from registry.cluster import Cluster
from registry.settings import Settings, get_settings


def database_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.database_url:
        url = make_url(settings.database_url)
        if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    return Cluster(settings.data_dir).url(settings.database_name)


def make_engine(url: str) -> Engine:
    # No JIT: the registry's statements are short, and PostgreSQL compiling one whose estimated cost
    # passes jit_above_cost (the permit standing of a tile's sites, say) spent ~70 ms on a 2 ms query
    # (measured by bench/tiles.py).
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args={"options": "-c jit=off"})


@lru_cache
def get_engine() -> Engine:
    return make_engine(database_url())


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    session = get_sessionmaker()()
    try:
        with session.begin():
            yield session
    finally:
        session.close()
