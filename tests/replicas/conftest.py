"""A real streaming replica for the read-replica tests.

The primary is the test run's PostgreSQL (the private cluster, or wherever TEST_DATABASE_URL points),
with a scratch database of its own (``<test db>_replicas_<pid>``: real commits, dropped at the end);
the replica is a ``pg_basebackup -R`` copy of that whole server in a temporary folder, started on a
free port of 127.0.0.1 as ``postgres`` when we are root (registry.cluster.Standby). It is stopped, its
replication slot dropped and its files deleted at the end, whatever happened; slots left by a run
that was killed are dropped by the next one (their process is gone).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from registry.cluster import Standby, drop_slot
from tests.scratch import free_port, scratch_database

SLOT_PREFIX = "tttt_test_replica_"
READY_WITHIN_S = 180


@pytest.fixture(scope="session")
def primary_url() -> Iterator[str]:
    with scratch_database("replicas") as url:
        yield url


def _drop_orphan_slots(host: str, port: int, user: str) -> None:
    """Slots of earlier runs whose process has gone (a run killed before its clean-up)."""
    with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True, connect_timeout=10) as c:
        names = [r[0] for r in c.execute("SELECT slot_name FROM pg_replication_slots WHERE NOT active").fetchall()]
    for name in names:
        m = re.fullmatch(SLOT_PREFIX + r"(\d+)", name)
        if m is None:
            continue
        try:
            os.kill(int(m[1]), 0)
        except ProcessLookupError:
            drop_slot(host, port, name, user=user)
        except PermissionError:
            pass  # alive, someone else's


@pytest.fixture(scope="session")
def standby(primary_url: str) -> Iterator[Standby]:
    u = make_url(primary_url)
    host, port, user = u.host or "127.0.0.1", u.port or 5432, u.username or "postgres"
    _drop_orphan_slots(host, port, user)
    folder = Path(tempfile.mkdtemp(prefix="tttt-standby-"))
    replica = Standby(
        pgdata=folder / "pg",
        port=free_port(),
        primary_host=host,
        primary_port=port,
        slot=f"{SLOT_PREFIX}{os.getpid()}",
        user=user,
    )
    try:
        replica.create()
        replica.start()
        wait_for_database(replica, u.database or "", within_s=READY_WITHIN_S)
        yield replica
    finally:
        try:
            replica.remove()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def wait_for_database(replica: Standby, database: str, *, within_s: float) -> None:
    """Until the replica accepts connections to ``database`` (it replays the WAL since the copy)."""
    url = make_url(replica.url(database)).set(drivername="postgresql").render_as_string(hide_password=False)
    deadline = time.monotonic() + within_s
    while True:
        try:
            with psycopg.connect(url, connect_timeout=3) as c:
                if c.execute("SELECT pg_is_in_recovery()").fetchone() == (True,):
                    return
        except psycopg.Error:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the replica did not open {database} within {within_s:.0f} s")
        time.sleep(0.2)
