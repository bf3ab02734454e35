"""Engine, sessions and the one transaction scope shared by the API, the CLI and jobs.

Services add and flush; whoever opened the scope commits (or rolls back on any error).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Literal

import psycopg
from sqlalchemy import Engine, create_engine, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import registry.audit.listener  # noqa: F401  (every session the registry opens keeps the audit trail)
import registry.models  # noqa: F401  (every mapped table for every entry point: a foreign key to another area resolves)
from registry.cluster import Cluster
from registry.errors import Unavailable
from registry.settings import Settings, get_settings


def database_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.database_url:
        url = make_url(settings.database_url)
        if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    return Cluster(settings.data_dir).url(settings.database_name)


def make_engine(url: str, settings: Settings | None = None) -> Engine:
    """An engine whose every wait is bounded: a free connection (TTTT_DB_POOL_TIMEOUT_S), opening
    one (TTTT_DB_CONNECT_TIMEOUT_S), and a peer that vanished without closing (TCP keepalives and
    user timeout), so a database that is down or unreachable gives an error, never a hang."""
    settings = settings or get_settings()
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        connect_args={
            # No JIT: the registry's statements are short, and PostgreSQL compiling one whose
            # estimated cost passes jit_above_cost (the permit standing of a tile's sites, say) spent
            # ~70 ms on a 2 ms query (measured by bench/tiles.py).
            "options": "-c jit=off",
            "connect_timeout": settings.db_connect_timeout_s,
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "tcp_user_timeout": 30_000,
        },
    )


WaitKind = Literal["ordinary", "long", "unbounded"]


def bound_waits(session: Session, kind: WaitKind, settings: Settings | None = None) -> None:
    """Bound the current transaction's statements and lock waits (``SET LOCAL``, so they end with it).

    ``ordinary``: requests (TTTT_DB_STATEMENT_TIMEOUT_MS, TTTT_DB_LOCK_TIMEOUT_MS); ``long``: imports,
    exports and reports (TTTT_DB_LONG_*); ``unbounded``: the command line, whose operator is watching.
    A timeout raises OperationalError with SQLSTATE 57014 (statement) or 55P03 (lock), which the API
    answers with 503 and Retry-After; the transaction is rolled back.
    """
    settings = settings or get_settings()
    if kind == "ordinary":
        statement, lock = settings.db_statement_timeout_ms, settings.db_lock_timeout_ms
    elif kind == "long":
        statement, lock = settings.db_long_statement_timeout_ms, settings.db_long_lock_timeout_ms
    else:
        statement, lock = 0, 0
    session.execute(
        text("SELECT set_config('statement_timeout', :s, true), set_config('lock_timeout', :l, true)"),
        {"s": f"{statement}ms", "l": f"{lock}ms"},
    )


# SQLSTATEs that mean "busy, try again", with what the user reads.
_BUSY = {
    "57014": "một truy vấn chạy quá thời gian cho phép",
    "55P03": "dữ liệu đang được một thao tác khác ghi (chờ khóa quá lâu)",
    "40001": "xung đột với một thao tác ghi đồng thời",
    "40P01": "xung đột với một thao tác ghi đồng thời",
    "53300": "cơ sở dữ liệu hết kết nối",
}


def as_unavailable(exc: BaseException, settings: Settings | None = None) -> Unavailable | None:
    """The registry's 503 for a database that is busy (statement or lock timeout, no free
    connection in the pool, a deadlock) or unreachable (connection refused, dropped, timed out);
    None for any other error. The message names the cause, never database text."""
    settings = settings or get_settings()
    retry = settings.db_retry_after_s
    orig = getattr(exc, "orig", None)
    if isinstance(exc, sa_exc.TimeoutError):
        cause = "không còn kết nối rảnh tới cơ sở dữ liệu"
    elif isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError)) or (
        isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated
    ):
        cause = _BUSY.get(getattr(orig, "sqlstate", None) or "", "tạm thời không kết nối được cơ sở dữ liệu")
    elif isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        cause = _BUSY.get(getattr(exc, "sqlstate", None) or "", "tạm thời không kết nối được cơ sở dữ liệu")
    else:
        return None
    return Unavailable(f"Hệ thống đang bận: {cause}; vui lòng thử lại sau {retry} giây.", retry_after=retry)


def database_versions(session: Session) -> tuple[str, str | None]:
    """PostGIS's library version and the schema's Alembic revision (None before the first migration):
    what the health check reports."""
    postgis = session.execute(text("SELECT postgis_lib_version()")).scalar_one()
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    return str(postgis), revision


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
