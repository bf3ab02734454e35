"""Which database answers a request: the primary, or one of the read replicas (registry/replicas.py).

With no replica configured (``TTTT_READ_DATABASE_URLS`` empty) nothing here runs: every request uses
the primary, as it always has. With replicas:

- **Reads go to a replica**: a GET or HEAD whose route only reads (public reads and tiles, the public
  look-up, lists, reports, exports) takes the session of ``api.deps.get_session`` (or the export's) on
  a usable replica, each in turn; none usable, the primary. The choice is made at the route's first
  statement (``RoutedSession.get_bind``), in the route's own thread, when who is asking is known.
- **The primary keeps** every write (any other method), the back office's pages (``/office``: staff at
  work, who read back at once what they have just saved, and few enough for the primary), signing in
  and out (``/api/auth``), the token look-up of every request (a revoked token must stop at once) and
  the GET routes that write (``PRIMARY_ROUTES``).
- **Read your writes.** A request that wrote ends by reading the primary's WAL insert position
  (``pg_current_wal_insert_lsn()``, after its commit: it is past the commit record even with
  ``synchronous_commit = off``) and answers with a cookie holding it, signed with the secret key and
  dated (``tttt_written``, HttpOnly, for ``TTTT_READ_YOUR_WRITES_S``). While that cookie is valid its
  holder's reads go only to a replica that has replayed that position, otherwise to the primary. Every
  server process checks the cookie alike, so it does not matter which process the next request reaches.
  A bearer-token client that keeps cookies (browsers, httpx.Client, requests.Session) is served the
  same way; one that does not is known by its token instead: a reader with a token and no cookie who
  has an audit event on the primary within the window (``registry.audit.queries.acted_since``, one
  indexed look-up there) reads from the primary.
- **No error for a replica's failure.** A read that fails on a replica before anything was answered —
  connection refused or dropped, the replica shut down, a statement cancelled by replay (a recovery
  conflict), a write refused there (a GET that writes, not listed in ``PRIMARY_ROUTES``) — is run
  again from the start on another usable replica, and finally on the primary (``ReadRouting``, an
  ASGI layer: the route is simply called again; a GET changes nothing). A replica that refused or
  dropped the connection is left out until its next good check.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from fastapi import Request
from sqlalchemy import Engine, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session
from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.clients import client_scheme
from registry.audit.queries import acted_since
from registry.replicas import ReadReplicas, Replica, parse_lsn
from registry.settings import Settings

log = logging.getLogger("tttt.reads")

SAFE = frozenset({"GET", "HEAD"})
# Reads that stay on the primary (see the module's docstring), by path.
PRIMARY_ROUTES = re.compile(r"^/(office|api/auth)(/|$)")
COOKIE = "tttt_written"
DEBUG_HEADER = "X-TTTT-Read-From"
STATE = "tttt.read"
_MARK = re.compile(r"([0-9a-f]{1,16})\.([0-9]{1,12})\.([0-9a-f]{32})")
# Errors of a read on a replica that another database may not have (SQLSTATE): serialization failure
# (a query cancelled by a recovery conflict), deadlock detected (buffer-pin conflicts), a write refused
# in a read-only (standby) transaction, no connection slot left there, and the server shutting down or
# crashing.
_RETRY_STATES = frozenset({"40001", "40P01", "25006", "53300", "57P01", "57P02", "57P03"})
_CONNECTION_STATES = frozenset({"57P01", "57P02", "57P03"})


@dataclass
class ReadState:
    """What the routing layer knows of one request, shared with its session (``scope[STATE]``)."""

    replicas: ReadReplicas
    settings: Settings
    after_lsn: int | None  # the holder of a valid cookie wrote this; None: no valid cookie
    bearer: bool  # an Authorization header was sent
    exclude: set[str] = field(default_factory=set)  # replicas that failed this request
    final: bool = False  # the last attempt: the primary, whatever happens
    retry: bool = False  # this attempt failed on a replica: run the request again
    served_by: str | None = None  # "primary" or a replica's name, once the session chose
    written_lsn: int | None = None  # a write's position, for the cookie


def state_of(request: Request) -> ReadState | None:
    return request.scope.get(STATE)  # type: ignore[no-any-return]


def routed(request: Request) -> bool:
    """Whether this request's session may read from a replica."""
    state = state_of(request)
    return (
        state is not None and not state.final and request.method in SAFE and not PRIMARY_ROUTES.match(request.url.path)
    )


class RoutedSession(Session):
    """A request's session that binds, at its first statement, to the replica ``route`` names (or to
    its own bind, the primary's, when ``route`` names none)."""

    def __init__(self, *, route: Callable[[], Engine | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._route = route
        self._routed = False
        self._read_bind: Engine | None = None
        self.replica: Replica | None = None

    def get_bind(self, mapper: Any = None, **kwargs: Any) -> Any:
        if not self._routed:
            self._routed = True
            self._read_bind = self._route()
        if self._read_bind is not None:
            return self._read_bind
        return super().get_bind(mapper, **kwargs)


def on_replica(session: Session) -> bool:
    return getattr(session, "replica", None) is not None


def close_quietly(session: Session) -> None:
    """End a replica's read-only session: a connection lost meanwhile is dropped from the pool, not
    raised (nothing was to be committed, and the answer may already be built)."""
    try:
        session.close()
    except (sa_exc.DBAPIError, psycopg.Error):
        log.info("A replica's connection was lost at the end of a read", exc_info=True)
        session.invalidate()


def session_for(request: Request, info: dict[str, Any]) -> Session:
    """The request's session: routed (replica or primary) for a read, on the primary otherwise."""
    factory = request.app.state.sessionmaker
    state = state_of(request)
    if state is None or not routed(request):
        if state is not None:
            state.served_by = "primary"
        return factory(info=info)  # type: ignore[no-any-return]
    holder: list[RoutedSession] = []

    def route() -> Engine | None:
        replica = _choose(request, state)
        holder[0].replica = replica
        state.served_by = replica.name if replica is not None else "primary"
        return replica.engine if replica is not None else None

    session = RoutedSession(route=route, **{**factory.kw, "info": info})
    holder.append(session)
    return session


def _choose(request: Request, state: ReadState) -> Replica | None:
    if state.after_lsn is None and state.bearer:
        principal = getattr(request.state, "principal", None)
        if principal is None:
            return None  # a token not yet read (an export's session opens before it): the primary
        if principal.authenticated:
            with request.app.state.sessionmaker() as session:
                if acted_since(session, principal.actor, state.settings.read_your_writes_s):
                    return None
    return state.replicas.choose(after_lsn=state.after_lsn, exclude=state.exclude)


def failed(request: Request, session: Session, exc: BaseException) -> None:
    """After a routed read raised: when the replica it ran on is to blame, leave the replica out (a
    lost connection) and have ``ReadRouting`` run the request again elsewhere. Runs in a worker thread
    (closing a replica's pool may wait on sockets)."""
    state = state_of(request)
    replica = getattr(session, "replica", None)
    if state is None or replica is None or state.final:
        return
    why = _replica_fault(exc)
    if why is None:
        return
    kind, connection = why
    if connection:
        state.replicas.mark_down(replica, kind)
    state.exclude.add(replica.name)
    state.retry = True
    log.warning("A read on %s failed (%s); answered from elsewhere", replica.name, kind)


def _replica_fault(exc: BaseException) -> tuple[str, bool] | None:
    """(what went wrong, whether the connection is to blame), or None for an error another database
    would give too (a timeout of a slow statement, a bad parameter, a refusal)."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(exc, "sqlstate", None)
    if sqlstate in _RETRY_STATES:
        return f"SQLSTATE {sqlstate}", sqlstate in _CONNECTION_STATES
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return type(orig or exc).__name__, True
    if isinstance(exc, sa_exc.TimeoutError):
        return None  # this process's pool for it is full: busy, not broken
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError)) and sqlstate in (
        None,
        "08000",
        "08001",
        "08003",
        "08004",
        "08006",
    ):
        return type(orig or exc).__name__, True
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)) and sqlstate is None:
        return type(exc).__name__, True
    return None


def wants_position(request: Request) -> bool:
    """Whether this request, once committed, reads the primary's position for its writer's cookie."""
    state = state_of(request)
    return state is not None and request.method not in SAFE


def note_position(request: Request, session: Session) -> None:
    """After a write committed: the primary's WAL insert position, for the writer's cookie (a short
    transaction of its own on the session's connection)."""
    state = state_of(request)
    if state is None:
        return
    value = session.execute(text("SELECT pg_current_wal_insert_lsn()::text")).scalar_one()
    state.written_lsn = parse_lsn(str(value))


def _mac(secret: bytes, payload: str) -> str:
    return hmac.new(secret, b"tttt-written:" + payload.encode(), hashlib.sha256).hexdigest()[:32]


def mark(lsn: int, settings: Settings, *, now: float | None = None) -> str:
    """The cookie's value: the position, when, and their signature."""
    payload = f"{lsn:x}.{int(time.time() if now is None else now)}"
    return f"{payload}.{_mac(settings.secret(), payload)}"


def read_mark(value: str | None, settings: Settings, *, now: float | None = None) -> int | None:
    """The position a valid, unexpired cookie holds; None for anything else (forged, old, garbled)."""
    if not value or len(value) > 80:
        return None
    m = _MARK.fullmatch(value)
    if m is None:
        return None
    payload = f"{m[1]}.{m[2]}"
    if not hmac.compare_digest(m[3], _mac(settings.secret(), payload)):
        return None
    age = (time.time() if now is None else now) - int(m[2])
    if not -5 <= age < settings.read_your_writes_s:
        return None
    return int(m[1], 16)


class ReadRouting:
    """The ASGI layer that opens each request's ``ReadState``, runs a read again when a replica failed
    it, and adds the writer's cookie (and, with ``TTTT_READ_DEBUG_HEADER``, which database read)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state_app = scope["app"].state
        replicas: ReadReplicas | None = getattr(state_app, "replicas", None)
        if replicas is None:
            await self.app(scope, receive, send)
            return
        settings: Settings = state_app.settings
        headers = dict((k, v) for k, v in scope["headers"] if k in (b"cookie", b"authorization"))
        cookies = cookie_parser(headers.get(b"cookie", b"").decode("latin-1"))
        state = ReadState(
            replicas=replicas,
            settings=settings,
            after_lsn=read_mark(cookies.get(COOKIE), settings),
            bearer=b"authorization" in headers,
        )
        scope[STATE] = state
        attempts = len(replicas.replicas) + 1 if scope["method"] in SAFE else 1
        for attempt in range(attempts):
            state.final = attempt == attempts - 1
            state.retry = False
            state.served_by = None
            started = False

            async def forward(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    if state.retry:
                        return  # this attempt's answer (a 503) is dropped: the request runs again
                    started = True
                    _add_headers(message, scope, state)
                elif not started:
                    return
                await send(message)

            try:
                await self.app(scope, receive if attempt == 0 else _replay(receive), forward)
            except Exception:
                if started or not state.retry:
                    raise
            if started or not state.retry:
                return


def _add_headers(message: Message, scope: Scope, state: ReadState) -> None:
    headers = MutableHeaders(scope=message)
    if state.settings.read_debug_header and state.served_by is not None:
        headers[DEBUG_HEADER] = state.served_by
    if state.written_lsn is not None:
        secure = "; Secure" if client_scheme(Request(scope)) == "https" else ""
        window = int(state.settings.read_your_writes_s)
        headers.append(
            "Set-Cookie",
            f"{COOKIE}={mark(state.written_lsn, state.settings)}; Max-Age={window}; Path=/; HttpOnly; "
            f"SameSite=Lax{secure}",
        )


def _replay(receive: Receive) -> Receive:
    """A second run of a GET: its (empty) body once more, then whatever the client sends (a disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return again
