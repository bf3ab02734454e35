"""Read replicas: PostgreSQL streaming standbys of the primary that answer reads, and how far behind
each one is.

``TTTT_READ_DATABASE_URLS`` names them; with none, nothing here exists and every request uses the
primary. Each server process keeps one ``ReadReplicas``: an engine per replica (``make_engine``, so the
same bounds on every wait as the primary's) and a thread that, every ``TTTT_REPLICA_CHECK_INTERVAL_S``,
notes the primary's WAL position and asks each replica how much of the WAL it has replayed. Requests
only read what the thread found; none of them waits on a check.

How far behind is measured against the primary's own positions, not replay timestamps (those stand
still on a primary with nothing to write, and then every replica would look behind): the thread keeps
the primary's positions of the last ``max_lag`` seconds, and a replica that has replayed the position
the primary had at time t is at most ``now - t`` behind. So lag is known to within one interval, and a
replica found idle with an idle primary is not behind at all. A replica is used while that lag, plus
the age of the check, stays within ``TTTT_REPLICA_MAX_LAG_S``; one that did not answer, or has been
promoted (no longer in recovery), is not used until a later check finds it well.

A reader may also need a replica to have replayed a given position (its own last write: the caller
says which, ``after_lsn``); a replica not there yet is passed over for that reader.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import logging
import os
import re
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from registry.db import make_engine
from registry.settings import Settings

log = logging.getLogger("tttt.replicas")

_LSN = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")
# A check's own statement bound (ms): the checks are two function calls.
CHECK_STATEMENT_TIMEOUT_MS = 2000


def parse_lsn(value: str) -> int:
    """PostgreSQL's ``pg_lsn`` text ("16/B374D848") as a number; ValueError if it is not one."""
    m = _LSN.fullmatch(value.strip())
    if m is None:
        raise ValueError(f"not an LSN: {value[:40]!r}")
    return int(m[1], 16) << 32 | int(m[2], 16)


@dataclass(frozen=True)
class WalLayout:
    """Where WAL pages and segments begin, to compare a replica's replay position (the end of the last
    record it replayed) with the primary's insert position (the next record's start: aligned to 8
    bytes, and past a page's header when it falls on a new page) byte for byte of records only."""

    segment_bytes: int = 16 * 1024 * 1024
    page_bytes: int = 8192

    # A page's header: 24 bytes; the first of a segment: 40 (PostgreSQL's SizeOfXLog{Short,Long}PHD).
    SHORT_HEADER = 24
    LONG_HEADER = 40
    # A record starts 8-byte aligned: the insert position is at most this far past the last record's end.
    ALIGN_SLACK = 7

    def record_bytes(self, lsn: int) -> int:
        """``lsn`` counted in bytes of records since the start of the WAL (PostgreSQL's
        XLogRecPtrToBytePos): page headers left out."""
        usable_page = self.page_bytes - self.SHORT_HEADER
        usable_segment = (self.segment_bytes // self.page_bytes) * usable_page - (self.LONG_HEADER - self.SHORT_HEADER)
        segments, offset = divmod(lsn, self.segment_bytes)
        pages, left = divmod(offset, self.page_bytes)
        if pages == 0:
            inside = max(0, left - self.LONG_HEADER) if left else 0
            return segments * usable_segment + inside
        inside = max(0, left - self.SHORT_HEADER) if left else 0
        return segments * usable_segment + (self.page_bytes - self.LONG_HEADER) + (pages - 1) * usable_page + inside

    def reached(self, replayed: int, position: int) -> bool:
        """Whether a replica that replayed up to ``replayed`` has every record the primary had inserted
        when its insert position was ``position``. No record is shorter than 24 bytes, so a record end
        within the alignment slack of an insert position is the end of the last record before it."""
        return self.record_bytes(replayed) + self.ALIGN_SLACK >= self.record_bytes(position)


def format_lsn(value: int) -> str:
    if not 0 <= value < 1 << 64:
        raise ValueError(f"LSN out of range: {value}")
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


def conninfo(url: str) -> str:
    """A libpq URI (what psycopg connects with) from an SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def safe_name(url: str) -> str:
    """Host, port and database of a URL, without its user or password: what logs may say."""
    u = make_url(url)
    return f"{u.host or 'localhost'}:{u.port or 5432}/{u.database or ''}"


@dataclass(eq=False)
class Replica:
    name: str  # "replica-1": what the debug header and the logs call it
    where: str  # host:port/database, no credentials
    engine: Engine
    conninfo: str
    up: bool = False
    replay_lsn: int = 0
    lag_s: float = float("inf")
    checked_at: float = 0.0  # time.monotonic() of the last check
    problem: str | None = None
    _check_connection: psycopg.Connection | None = field(default=None, repr=False)


class ReadReplicas:
    """The replicas of one server process, their health, and the choice of one for a read."""

    def __init__(self, urls: Sequence[str], settings: Settings, *, primary_url: str) -> None:
        if not urls:
            raise ValueError("ReadReplicas needs at least one URL")
        self.settings = settings
        self.replicas = [
            Replica(
                name=f"replica-{i}",
                where=safe_name(url),
                engine=make_engine(_driver(url), settings, waits="ordinary"),
                conninfo=conninfo(url),
            )
            for i, url in enumerate(urls, start=1)
        ]
        self._primary = conninfo(primary_url)
        self._primary_connection: psycopg.Connection | None = None
        self.layout = WalLayout()  # the primary's own, once it has been asked
        # (time.monotonic(), the primary's WAL insert position then), oldest first.
        self._positions: collections.deque[tuple[float, int]] = collections.deque()
        self._turn = itertools.count()
        self._refreshing = threading.Lock()
        self._starting = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    # --- choosing -------------------------------------------------------------------------------

    def usable(self, replica: Replica, *, after_lsn: int | None = None, now: float | None = None) -> bool:
        """Up at its last check, no further behind than the setting even if it replayed nothing since
        that check, and (for a reader who wrote) past ``after_lsn``."""
        if not replica.up:
            return False
        now = time.monotonic() if now is None else now
        if replica.lag_s + max(0.0, now - replica.checked_at) > self.settings.replica_max_lag_s:
            return False
        return after_lsn is None or self.layout.reached(replica.replay_lsn, after_lsn)

    def choose(self, *, after_lsn: int | None = None, exclude: Collection[str] = ()) -> Replica | None:
        """A usable replica (each in turn), or None: read on the primary."""
        self.start()
        now = time.monotonic()
        found = [r for r in self.replicas if r.name not in exclude and self.usable(r, after_lsn=after_lsn, now=now)]
        if not found:
            return None
        return found[next(self._turn) % len(found)]

    def mark_down(self, replica: Replica, problem: str) -> None:
        """A request could not use ``replica`` (refused, dropped, shut down): no request uses it until
        a check finds it well again, and its pooled connections are closed (they would all fail)."""
        if replica.up:
            log.warning("Read replica %s (%s) left out: %s", replica.name, replica.where, problem)
        replica.up = False
        replica.problem = problem
        replica.engine.dispose()

    # --- checking -------------------------------------------------------------------------------

    def start(self) -> None:
        """The checking thread of this process (started once, again in a forked child)."""
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        with self._starting:
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="tttt-replica-checks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        rounds = 0
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception:  # a check that fails in an unforeseen way must not end the checks
                log.exception("Read replica check failed")
            rounds += 1
            # The first round notes the primary's position just before asking the replicas, which a
            # busy primary has passed by then: a second round at once finds them past the first's.
            self._stop.wait(0.05 if rounds == 1 else self.settings.replica_check_interval_s)

    def refresh(self) -> None:
        """One round of checks: the primary's position, then each replica's (tests call it directly)."""
        with self._refreshing:
            now = time.monotonic()
            position = self._primary_position()
            if position is not None:
                self._positions.append((now, position))
            keep = self.settings.replica_max_lag_s + 3 * self.settings.replica_check_interval_s
            while len(self._positions) > 1 and now - self._positions[0][0] > keep:
                self._positions.popleft()
            for replica in self.replicas:
                self._check(replica)

    def lag(self, replayed: int, at: float) -> float:
        """How far behind a replica that had replayed ``replayed`` at ``at`` was, at most: the time since
        the newest noted position of the primary it had reached; infinite when it reached none."""
        for noted_at, position in reversed(self._positions):
            if self.layout.reached(replayed, position):
                return max(0.0, at - noted_at)
        return float("inf")

    def _primary_position(self) -> int | None:
        try:
            if self._primary_connection is None or self._primary_connection.closed:
                self._primary_connection = self._connect(self._primary)
                sizes = self._primary_connection.execute(
                    "SELECT pg_size_bytes(current_setting('wal_segment_size')), current_setting('wal_block_size')::int"
                ).fetchone()
                if sizes:
                    self.layout = WalLayout(segment_bytes=int(sizes[0]), page_bytes=int(sizes[1]))
            row = self._primary_connection.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
        except psycopg.Error as exc:
            log.warning("Read replicas: the primary's WAL position is unknown (%s)", type(exc).__name__)
            self._close_primary()
            return None
        return parse_lsn(row[0]) if row and row[0] else None

    def _check(self, replica: Replica) -> None:
        try:
            if replica._check_connection is None or replica._check_connection.closed:
                replica._check_connection = self._connect(replica.conninfo)
            row = replica._check_connection.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text"
            ).fetchone()
        except psycopg.Error as exc:
            _close(replica._check_connection)
            replica._check_connection = None
            self._note(replica, up=False, problem=f"không kết nối được ({type(exc).__name__})")
            return
        at = time.monotonic()
        if not row or not row[0] or not row[1]:
            self._note(replica, up=False, problem="không phải bản sao đang phục hồi (recovery)")
            return
        replica.replay_lsn = parse_lsn(row[1])
        replica.lag_s = self.lag(replica.replay_lsn, at)
        replica.checked_at = at
        self._note(replica, up=True, problem=None)

    def _note(self, replica: Replica, *, up: bool, problem: str | None) -> None:
        if up != replica.up:
            if up:
                log.info("Read replica %s (%s) answers again", replica.name, replica.where)
            else:
                log.warning("Read replica %s (%s) left out: %s", replica.name, replica.where, problem)
        if not up:
            replica.checked_at = time.monotonic()
        replica.up = up
        replica.problem = problem

    def _connect(self, info: str) -> psycopg.Connection:
        return psycopg.connect(
            info,
            autocommit=True,
            connect_timeout=self.settings.db_connect_timeout_s,
            options=f"-c statement_timeout={CHECK_STATEMENT_TIMEOUT_MS}",
            prepare_threshold=None,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
            tcp_user_timeout=30_000,
        )

    def _close_primary(self) -> None:
        _close(self._primary_connection)
        self._primary_connection = None

    def close(self) -> None:
        """Stop the checks and close every connection (tests, shutdown)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=self.settings.db_connect_timeout_s + 5)
        with self._refreshing:
            self._close_primary()
            for replica in self.replicas:
                _close(replica._check_connection)
                replica._check_connection = None
                replica.engine.dispose()

    def status(self) -> list[dict[str, object]]:
        """Each replica as the checks last saw it (no credentials)."""
        now = time.monotonic()
        return [
            {
                "name": r.name,
                "where": r.where,
                "up": r.up,
                "usable": self.usable(r, now=now),
                "lag_s": None if r.lag_s == float("inf") else round(r.lag_s, 3),
                "replay_lsn": format_lsn(r.replay_lsn),
                "problem": r.problem,
            }
            for r in self.replicas
        ]


def _driver(url: str) -> str:
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def _close(connection: psycopg.Connection | None) -> None:
    if connection is not None:
        with contextlib.suppress(psycopg.Error):
            connection.close()


def read_replicas(settings: Settings, primary_url: str) -> ReadReplicas | None:
    """The process's replicas from TTTT_READ_DATABASE_URLS, or None when there are none."""
    if not settings.read_database_urls:
        return None
    return ReadReplicas(settings.read_database_urls, settings, primary_url=primary_url)
