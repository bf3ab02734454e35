"""Engine, sessions and the one transaction scope shared by the API, the CLI and jobs.

Services add and flush; whoever opened the scope commits (or rolls back on any error).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Literal

import psycopg
from sqlalchemy import Connection, Engine, Executable, Row, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

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


WaitKind = Literal["ordinary", "long", "unbounded"]

# A pooled connection not used for this long is pinged before it is handed out (below).
PING_AFTER_IDLE_S = 1.0
# ``Session.info`` key: (WaitKind, Settings) to bound every transaction of that session with, from its
# first statement on. The API's sessions carry it (api.deps.get_session): a request's transaction
# begins, and is bounded, in the thread that runs its first statement (the route's), not before.
WAITS = "tttt.waits"
# Pool-record keys: the bounds a connection was opened with (ms), when it was last given back.
_OPENED_WITH = "tttt.bounds"
_IDLE_SINCE = "tttt.idle_since"
# Pool-record key: the connection leads to a transaction-mode pooler (TTTT_DB_TRANSACTION_POOLER); the
# value is the bounds of the engine's ``waits``, set by each transaction that has none of its own.
_POOLED = "tttt.pooled"


def make_engine(url: str, settings: Settings | None = None, *, waits: WaitKind = "unbounded") -> Engine:
    """An engine whose every wait is bounded: a free connection (TTTT_DB_POOL_TIMEOUT_S), opening
    one (TTTT_DB_CONNECT_TIMEOUT_S), and a peer that vanished without closing (TCP keepalives and
    user timeout), so a database that is down or unreachable gives an error, never a hang.

    Its connections open with the statement and lock bounds of ``waits`` (bound_waits): a transaction
    that wants those needs no statement to set them (the API's engine opens with the ordinary ones,
    the bounds of nearly every request: one round trip less each). A connection idle in the pool for
    more than PING_AFTER_IDLE_S is pinged before use and replaced if dead; one given back less than
    that ago is not (a ping on every checkout was a round trip per request; a connection that died
    within the second fails its request with a 503, and the pool then replaces every connection)."""
    settings = settings or get_settings()
    bounds = _bounds(waits, settings)
    connect_args: dict[str, Any] = {
        # No JIT: the registry's statements are short, and PostgreSQL compiling one whose
        # estimated cost passes jit_above_cost (the permit standing of a tile's sites, say) spent
        # ~70 ms on a 2 ms query (measured by bench/tiles.py).
        "options": f"-c jit=off -c statement_timeout={bounds[0]} -c lock_timeout={bounds[1]}",
        "connect_timeout": settings.db_connect_timeout_s,
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": 30_000,
    }
    pooler = settings.db_transaction_pooler
    if pooler:
        # A pooler in transaction mode hands each transaction any server connection: what a
        # connection was opened with does not follow it, and a statement psycopg prepared on one is
        # unknown on the next. Every transaction sets its own bounds and JIT (SET LOCAL, _apply).
        del connect_args["options"]
        connect_args["prepare_threshold"] = None
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        connect_args=connect_args,
    )

    @event.listens_for(engine, "connect")
    def _opened(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        if pooler:
            record.info[_POOLED] = bounds  # what every transaction without bounds of its own gets
        else:
            record.info[_OPENED_WITH] = bounds
        record.info.pop(_IDLE_SINCE, None)

    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _given_back)
    return engine


def _given_back(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
    since = record.info.get(_IDLE_SINCE)
    if since is None or time.monotonic() - since <= PING_AFTER_IDLE_S:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except psycopg.Error as exc:
        # The pool drops this connection and hands out a fresh one (SQLAlchemy's documented way).
        raise sa_exc.DisconnectionError() from exc


def _bounds(kind: WaitKind, settings: Settings) -> tuple[int, int]:
    """(statement timeout, lock timeout) in ms of a kind of transaction; 0 = none."""
    if kind == "ordinary":
        return settings.db_statement_timeout_ms, settings.db_lock_timeout_ms
    if kind == "long":
        return settings.db_long_statement_timeout_ms, settings.db_long_lock_timeout_ms
    return 0, 0


def bound_waits(session: Session, kind: WaitKind, settings: Settings | None = None) -> None:
    """Bound the current transaction's statements and lock waits (``SET LOCAL``, so they end with it).

    ``ordinary``: requests (TTTT_DB_STATEMENT_TIMEOUT_MS, TTTT_DB_LOCK_TIMEOUT_MS); ``long``: imports,
    exports and reports (TTTT_DB_LONG_*); ``unbounded``: the command line, whose operator is watching.
    A timeout raises OperationalError with SQLSTATE 57014 (statement) or 55P03 (lock), which the API
    answers with 503 and Retry-After; the transaction is rolled back. Nothing is sent when the
    connection was opened with those bounds (make_engine's ``waits``).
    """
    _apply(session.connection(), _bounds(kind, settings or get_settings()))


def _apply(connection: Connection, bounds: tuple[int, int]) -> None:
    if connection.info.get(_OPENED_WITH) == bounds:
        return
    if connection.info.get(_POOLED) is not None:
        connection.execute(
            text(
                "SELECT set_config('statement_timeout', :s, true), set_config('lock_timeout', :l, true), "
                "set_config('jit', 'off', true)"
            ),
            {"s": f"{bounds[0]}ms", "l": f"{bounds[1]}ms"},
        )
        return
    connection.execute(
        text("SELECT set_config('statement_timeout', :s, true), set_config('lock_timeout', :l, true)"),
        {"s": f"{bounds[0]}ms", "l": f"{bounds[1]}ms"},
    )


@event.listens_for(Session, "after_begin")
def _bound_each_transaction(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    waits = session.info.get(WAITS)
    if transaction.nested:
        return
    if waits is not None:
        _apply(connection, _bounds(*waits))
    elif connection.info.get(_POOLED) is not None:
        _apply(connection, connection.info[_POOLED])


def read_one(session: Session, statement: Executable, params: Mapping[str, Any]) -> Row[Any]:
    """The one row of a read that is all a request asks of the database (a list's page, nearest),
    read in the session's place: on the database its bind names (the primary, or the replica
    api.reads chose), with the bounds of its ``WAITS``.

    When the session has no transaction yet and its bind is an engine, the statement runs on a
    connection of its own, straight from the engine's pool, in a transaction of its own that ends
    with it, and the session is left as it was: nothing of the ORM session's machinery is needed for
    one statement, and it cost 0.1 ms of a 2 ms nearest-10 (bench/tipg.py). SQLAlchemy still runs
    the statement (its events, its errors, a lost connection taken out of the pool). In a
    transaction, or bound to a connection (a test's, a caller's), it is an ordinary statement of the
    session.

    The transaction is committed, not rolled back, though it only read: psycopg forgets every
    statement it prepared on a connection at a ROLLBACK (and sends DEALLOCATE ALL), so each request
    would plan its statement anew."""
    if not session.in_transaction():
        bind = session.get_bind()
        if isinstance(bind, Engine):
            with bind.connect() as connection:
                waits = session.info.get(WAITS)
                if waits is not None:
                    _apply(connection, _bounds(*waits))
                elif connection.info.get(_POOLED) is not None:
                    _apply(connection, connection.info[_POOLED])
                row = connection.execute(statement, params).one()
                connection.commit()
                return row
    return session.execute(statement, params).one()


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
    """The API's and the command line's engine: connections open with the ordinary bounds."""
    return make_engine(database_url(), waits="ordinary")


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """The command line's transaction: unbounded (its operator is watching), committed at the end."""
    session = get_sessionmaker()(info={WAITS: ("unbounded", get_settings())})
    try:
        with session.begin():
            yield session
    finally:
        session.close()
